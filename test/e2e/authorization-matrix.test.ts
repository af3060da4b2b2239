/**
 * The authorization matrix (OWASP API1/API5): every route of the route table, called by an
 * anonymous visitor, a forged token and a real signed-in person of every role. Each route has an
 * entry here, written by hand (not derived from the route table, so a changed access shows up),
 * and the test fails when a route is added without one. Allowed callers get the route's own answer
 * (a validation 400 for an empty body, a 404 for an unknown object…), never 401 or 403; the others
 * get 401 (not signed in) or 403 (wrong role), before any handler logic.
 * Routes acting on an object owned by someone carry a `stranger` case: another person's object.
 * On every signed-in route, a suspended account's token gets 403 and a deleted account's 410,
 * and a reinstated account's the route's own answer again.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { routes } from '#functions/routes.ts';
import { type Role, roles } from '#shared/http/contract.ts';
import { REFUSAL_CACHE_SECONDS } from '#shared/security/revocations.ts';
import { book, callAs, freeSlots, openAgenda, parisDate } from '../support/bookings.ts';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson } from '../support/identity.ts';

const cloud = inject('cloud');
// Its own loopback address: the matrix's calls don't eat into other tests' rate limits.
const IP = '127.0.0.90';

type Allowed = 'everyone' | 'signed-in' | readonly Role[];

interface Entry {
  readonly allowed: Allowed;
  /** The path with its parameters filled in. */
  readonly path?: string;
  readonly body?: unknown;
  /** What an allowed caller gets with this request. */
  readonly status: number;
  /** Destructive for the caller: run last. */
  readonly last?: boolean;
}

const unknownHold = 'hold_00000000000000000000000000000000';
// A well-formed account id no account has: allowed staff get the route's 404.
const unknownAccount = randomUUID();
const unknownAppointment = 'apt_00000000000000000000000000000000';
const unknownReview = 'rev_00000000000000000000000000000000';
const unknownConversation = 'cnv_00000000000000000000000000000000';
const unknownRequest = 'rrq_00000000000000000000000000000000';
const unknownTicket = 'tkt_00000000000000000000000000000000';
// A newsletter link token of the right shape that no mail carried: its MAC or hash fails.
const unknownLinkToken = `${'0'.repeat(40)}.${'A'.repeat(43)}`;

const matrix: Record<string, Entry> = {
  'GET /health': { allowed: 'everyone', status: 200 },
  'POST /contact': { allowed: 'everyone', body: {}, status: 400 },
  'GET /practitioners': { allowed: 'everyone', status: 200 },
  'PUT /practitioners/me/profile': { allowed: ['practitioner'], body: {}, status: 400 },
  // The matrix's practitioner never saves a profile (the PUT above is a 400): none yet, a 404.
  'GET /practitioners/me/profile': { allowed: ['practitioner'], status: 404 },
  'GET /practitioners/{practitionerId}': {
    allowed: 'everyone',
    path: `/practitioners/${randomUUID()}`,
    status: 404,
  },
  'GET /practitioners/me/appointments/export': { allowed: ['practitioner'], status: 200 },
  // Always the caller's own appointments: a client who is not theirs is erased nothing.
  'DELETE /practitioners/me/clients/{clientId}/appointments': {
    allowed: ['practitioner'],
    path: `/practitioners/me/clients/${randomUUID()}/appointments`,
    status: 200,
  },
  'GET /practitioners/me/controller-actions': { allowed: ['practitioner'], status: 200 },
  'GET /me': { allowed: 'signed-in', status: 200 },
  'PATCH /me': { allowed: 'signed-in', body: { unknownField: true }, status: 400 },
  'DELETE /me': { allowed: 'signed-in', status: 202, last: true },
  'POST /staff/accounts/{accountId}/suspend': {
    allowed: ['support', 'moderator'],
    path: `/staff/accounts/${unknownAccount}/suspend`,
    body: { reason: 'Authorization matrix' },
    status: 404,
  },
  'POST /staff/accounts/{accountId}/reinstate': {
    allowed: ['support', 'moderator'],
    path: `/staff/accounts/${unknownAccount}/reinstate`,
    body: { reason: 'Authorization matrix' },
    status: 404,
  },
  'GET /practitioners/{practitionerId}/slots': {
    allowed: 'everyone',
    path: `/practitioners/${randomUUID()}/slots?serviceId=svc_x&from=2027-01-04&to=2027-01-05`,
    status: 404,
  },
  'GET /practitioners/me/agenda': { allowed: ['practitioner'], status: 400 },
  'POST /bookings': { allowed: ['client'], body: {}, status: 400 },
  'GET /bookings': { allowed: ['client'], status: 200 },
  'GET /bookings/{appointmentId}': {
    allowed: ['client', 'practitioner'],
    path: `/bookings/${unknownAppointment}`,
    status: 404,
  },
  'POST /bookings/{appointmentId}/reschedule': {
    allowed: ['client', 'practitioner'],
    path: `/bookings/${unknownAppointment}/reschedule`,
    body: { start: '2027-01-04T09:00:00Z' },
    status: 404,
  },
  'POST /bookings/{appointmentId}/cancel': {
    allowed: ['client', 'practitioner'],
    path: `/bookings/${unknownAppointment}/cancel`,
    status: 404,
  },
  'POST /bookings/{appointmentId}/complete': {
    allowed: ['practitioner'],
    path: `/bookings/${unknownAppointment}/complete`,
    status: 404,
  },
  'POST /bookings/{appointmentId}/no-show': {
    allowed: ['practitioner'],
    path: `/bookings/${unknownAppointment}/no-show`,
    status: 404,
  },
  // Stripe calls it with no token: the signature is the authentication (none here: 400).
  'POST /webhooks/stripe': { allowed: 'everyone', body: {}, status: 400 },
  'POST /practitioners/me/payouts/onboarding': { allowed: ['practitioner'], body: {}, status: 400 },
  'GET /practitioners/me/payouts': { allowed: ['practitioner'], status: 200 },
  'POST /staff/bookings/{appointmentId}/refunds': {
    allowed: ['support'],
    path: `/staff/bookings/${unknownAppointment}/refunds`,
    body: { amountCents: 100, reason: 'goodwill' },
    // no Idempotency-Key: the route's own 400
    status: 400,
  },
  'GET /staff/payments/disputes': { allowed: ['support'], status: 200 },
  'POST /privacy/legal-holds': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/legal-holds': { allowed: ['dpo'], status: 200 },
  'POST /privacy/legal-holds/{holdId}/lift': {
    allowed: ['dpo'],
    path: `/privacy/legal-holds/${unknownHold}/lift`,
    status: 404,
  },
  'POST /privacy/erasures': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/register': { allowed: ['dpo'], status: 200 },
  // Reviews, part A (ADR 0015).
  'POST /reviews': { allowed: ['client'], body: {}, status: 400 },
  'PATCH /reviews/{reviewId}': {
    allowed: ['client'],
    path: `/reviews/${unknownReview}`,
    body: { rating: 5, text: 'Une séance vraiment très agréable.' },
    status: 404,
  },
  'DELETE /reviews/{reviewId}': { allowed: ['client'], path: `/reviews/${unknownReview}`, status: 404 },
  'GET /me/reviews': { allowed: ['client'], status: 200 },
  'PUT /reviews/{reviewId}/reply': {
    allowed: ['practitioner'],
    path: `/reviews/${unknownReview}/reply`,
    body: { text: 'Merci !' },
    status: 404,
  },
  'GET /practitioners/{practitionerId}/reviews': {
    allowed: 'everyone',
    path: `/practitioners/${randomUUID()}/reviews`,
    status: 200,
  },
  'POST /moderation/reviews/{reviewId}/decision': {
    allowed: ['moderator'],
    path: `/moderation/reviews/${unknownReview}/decision`,
    body: { outcome: 'accept' },
    status: 404,
  },
  'POST /moderation/replies/{reviewId}/decision': {
    allowed: ['moderator'],
    path: `/moderation/replies/${unknownReview}/decision`,
    body: { outcome: 'accept' },
    status: 404,
  },
  // Reviews, part C (ADR 0015): the moderation queue and the review policy.
  'GET /moderation/queue': { allowed: ['moderator'], status: 200 },
  'POST /moderation/queue/{kind}/{id}/claim': {
    allowed: ['moderator'],
    path: `/moderation/queue/review/${unknownReview}/claim`,
    status: 404,
  },
  'GET /reviews/policy': { allowed: 'everyone', status: 200 },
  // Reviews, part B (ADR 0015): reports, decisions, appeals, bars, the transparency report.
  'POST /reviews/{reviewId}/reports': {
    allowed: 'signed-in',
    path: `/reviews/${unknownReview}/reports`,
    body: { reason: 'abusive', explanation: 'Des propos injurieux dans cet avis.' },
    status: 404,
  },
  'GET /me/reports': { allowed: 'signed-in', status: 200 },
  'POST /moderation/reports/{reportId}/decision': {
    allowed: ['moderator'],
    path: '/moderation/reports/rpt_00000000000000000000000000000000/decision',
    body: { outcome: 'keep', statement: 'Un exposé des motifs suffisant.' },
    status: 404,
  },
  'POST /moderation/decisions/{reportId}/appeals': {
    allowed: 'signed-in',
    path: '/moderation/decisions/rpt_00000000000000000000000000000000/appeals',
    body: { explanation: 'Je conteste cette décision.' },
    status: 404,
  },
  'POST /moderation/appeals/{appealId}/decision': {
    allowed: ['moderator'],
    path: '/moderation/appeals/apl_00000000000000000000000000000000/decision',
    body: { outcome: 'uphold', statement: 'Un exposé des motifs suffisant.' },
    status: 404,
  },
  // An account without 3 unfounded reports may not be barred.
  'POST /moderation/reporters/{accountId}/bar': {
    allowed: ['moderator'],
    path: `/moderation/reporters/${unknownAccount}/bar`,
    body: { until: new Date(Date.now() + 30 * 86_400_000).toISOString(), reason: 'Signalements abusifs répétés.' },
    status: 422,
  },
  'GET /moderation/transparency-report': {
    allowed: ['moderator', 'dpo'],
    path: '/moderation/transparency-report?from=2026-01-01&to=2026-01-31',
    status: 200,
  },
  // Privacy (ADR 0017): the DPO's register of rights requests.
  'POST /privacy/rights-requests': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/rights-requests': { allowed: ['dpo'], status: 200 },
  'GET /privacy/rights-requests/{requestId}': {
    allowed: ['dpo'],
    path: `/privacy/rights-requests/${unknownRequest}`,
    status: 404,
  },
  'POST /privacy/rights-requests/{requestId}/identity-check': {
    allowed: ['dpo'],
    path: `/privacy/rights-requests/${unknownRequest}/identity-check`,
    body: { verified: true, method: 'other' },
    status: 404,
  },
  'POST /privacy/rights-requests/{requestId}/extension': {
    allowed: ['dpo'],
    path: `/privacy/rights-requests/${unknownRequest}/extension`,
    body: { months: 1, reason: 'Une raison suffisante.' },
    status: 404,
  },
  'POST /privacy/rights-requests/{requestId}/answer': {
    allowed: ['dpo'],
    path: `/privacy/rights-requests/${unknownRequest}/answer`,
    body: { answeredOn: '2026-01-01', outcome: 'granted' },
    status: 404,
  },
  // Data exports (ADR 0018): one's own; the DPO's answer to an access request.
  'POST /me/exports': { allowed: 'signed-in', status: 202 },
  'GET /me/exports/{exportId}': {
    allowed: 'signed-in',
    path: '/me/exports/exp_00000000000000000000000000000000',
    status: 404,
  },
  'POST /privacy/rights-requests/{requestId}/export': {
    allowed: ['dpo'],
    path: `/privacy/rights-requests/${unknownRequest}/export`,
    status: 404,
  },
  // Post-mortem directives (ADR 0018): one's own; deaths recorded by the DPO.
  'GET /me/directives': { allowed: 'signed-in', status: 200 },
  'PUT /me/directives': { allowed: 'signed-in', body: {}, status: 400 },
  'DELETE /me/directives': { allowed: 'signed-in', status: 404 },
  'POST /privacy/deaths': { allowed: ['dpo'], body: {}, status: 400 },
  'GET /privacy/deaths/{accountId}': { allowed: ['dpo'], path: `/privacy/deaths/${unknownAccount}`, status: 404 },
  // Consents and objections (issue 15): anyone signed in, on their own choices only (no id of anyone else's).
  'GET /me/consents': { allowed: 'signed-in', status: 200 },
  // A well-formed choice that does not exist: 404, and nothing changes.
  'PUT /me/consents/{choice}': {
    allowed: 'signed-in',
    path: '/me/consents/no-such-choice',
    body: { granted: true, wordingVersion: '2026-12-01' },
    status: 404,
  },
  // Messaging (ADR 0016): only the two parties reach a conversation, staff included in "nobody else".
  'POST /conversations': { allowed: ['client'], body: {}, status: 400 },
  'GET /conversations': { allowed: ['client', 'practitioner'], status: 200 },
  'GET /conversations/{conversationId}/messages': {
    allowed: ['client', 'practitioner'],
    path: `/conversations/${unknownConversation}/messages`,
    status: 404,
  },
  'POST /conversations/{conversationId}/messages': {
    allowed: ['client', 'practitioner'],
    path: `/conversations/${unknownConversation}/messages`,
    body: { text: 'Bonjour' },
    status: 404,
  },
  'POST /conversations/{conversationId}/read': {
    allowed: ['client', 'practitioner'],
    path: `/conversations/${unknownConversation}/read`,
    status: 404,
  },
  'PUT /conversations/{conversationId}/block': {
    allowed: ['client', 'practitioner'],
    path: `/conversations/${unknownConversation}/block`,
    body: { blocked: true },
    status: 404,
  },
  'POST /conversations/{conversationId}/close': {
    allowed: ['practitioner'],
    path: `/conversations/${unknownConversation}/close`,
    status: 404,
  },
  'POST /conversations/{conversationId}/messages/{messageId}/reports': {
    allowed: ['client', 'practitioner'],
    path: `/conversations/${unknownConversation}/messages/msg_00000000000000000000000000000000/reports`,
    body: { reason: 'spam' },
    status: 404,
  },
  // Support tickets (ADR 0019): one's own for clients and practitioners; support's queue and actions.
  'POST /me/support-tickets': { allowed: ['client', 'practitioner'], body: {}, status: 400 },
  'GET /me/support-tickets': { allowed: ['client', 'practitioner'], status: 200 },
  'GET /me/support-tickets/{ticketId}': {
    allowed: ['client', 'practitioner'],
    path: `/me/support-tickets/${unknownTicket}`,
    status: 404,
  },
  'POST /me/support-tickets/{ticketId}/messages': {
    allowed: ['client', 'practitioner'],
    path: `/me/support-tickets/${unknownTicket}/messages`,
    body: { text: 'Bonjour' },
    status: 404,
  },
  'GET /support/tickets': { allowed: ['support'], status: 200 },
  'GET /support/tickets/{ticketId}': { allowed: ['support'], path: `/support/tickets/${unknownTicket}`, status: 404 },
  'POST /support/tickets/{ticketId}/assignment': {
    allowed: ['support'],
    path: `/support/tickets/${unknownTicket}/assignment`,
    body: {},
    status: 404,
  },
  'POST /support/tickets/{ticketId}/messages': {
    allowed: ['support'],
    path: `/support/tickets/${unknownTicket}/messages`,
    body: { text: 'Bonjour' },
    status: 404,
  },
  'POST /support/tickets/{ticketId}/close': {
    allowed: ['support'],
    path: `/support/tickets/${unknownTicket}/close`,
    body: { outcome: 'resolved' },
    status: 404,
  },
  // Newsletter (ADR 0020): public, the links' tokens are the authentication (none valid here).
  'POST /newsletter/subscriptions': { allowed: 'everyone', body: {}, status: 400 },
  'GET /newsletter/confirmation': {
    allowed: 'everyone',
    path: `/newsletter/confirmation?token=${unknownLinkToken}`,
    status: 200,
  },
  'POST /newsletter/confirmation': {
    allowed: 'everyone',
    path: `/newsletter/confirmation?token=${unknownLinkToken}`,
    status: 410,
  },
  'GET /newsletter/unsubscribe': {
    allowed: 'everyone',
    path: `/newsletter/unsubscribe?token=${unknownLinkToken}`,
    status: 200,
  },
  // Without RFC 8058's body (List-Unsubscribe=One-Click, form-encoded): the route's own 400.
  'POST /newsletter/unsubscribe': {
    allowed: 'everyone',
    path: `/newsletter/unsubscribe?token=${unknownLinkToken}`,
    body: {},
    status: 400,
  },
  'GET /newsletter/renewal': {
    allowed: 'everyone',
    path: `/newsletter/renewal?token=${unknownLinkToken}`,
    status: 200,
  },
  'POST /newsletter/renewal': {
    allowed: 'everyone',
    path: `/newsletter/renewal?token=${unknownLinkToken}&answer=yes`,
    status: 410,
  },
  // Campaigns are support's; their tracked links are public (no such campaign here: 404).
  'POST /newsletter/campaigns': { allowed: ['support'], body: {}, status: 400 },
  'GET /newsletter/campaigns/{campaignId}': {
    allowed: ['support'],
    path: '/newsletter/campaigns/cmp_00000000000000000000000000000000',
    status: 404,
  },
  'POST /newsletter/campaigns/{campaignId}/send': {
    allowed: ['support'],
    path: '/newsletter/campaigns/cmp_00000000000000000000000000000000/send',
    status: 404,
  },
  'GET /newsletter/links/{campaignId}/{link}': {
    allowed: 'everyone',
    path: '/newsletter/links/cmp_00000000000000000000000000000000/0',
    status: 404,
  },
};

interface Scene {
  readonly appointmentId: string;
  readonly clientId: string;
  readonly freeStart: string;
  /** The client's conversation with the practitioner, and the practitioner's message in it. */
  readonly conversationId: string;
  readonly messageId: string;
  /** An export of the client's data (ADR 0018). */
  readonly exportId: string;
  /** The client's support ticket (ADR 0019). */
  readonly ticketId: string;
}

/**
 * Routes on a client's or a practitioner's object, and how a stranger calls them on someone else's.
 * `answers`: what a stranger gets instead of a 404 from a route that acts only on the caller's
 * own data whatever the id (the scene's appointment must come out unchanged all the same).
 */
const strangerCases: Record<string, { path: (s: Scene) => string; body?: (s: Scene) => unknown; answers?: number }> = {
  'GET /bookings/{appointmentId}': { path: (s) => `/bookings/${s.appointmentId}` },
  'POST /bookings/{appointmentId}/reschedule': {
    path: (s) => `/bookings/${s.appointmentId}/reschedule`,
    body: (s) => ({ start: s.freeStart }),
  },
  'POST /bookings/{appointmentId}/cancel': { path: (s) => `/bookings/${s.appointmentId}/cancel` },
  'POST /bookings/{appointmentId}/complete': { path: (s) => `/bookings/${s.appointmentId}/complete` },
  'POST /bookings/{appointmentId}/no-show': { path: (s) => `/bookings/${s.appointmentId}/no-show` },
  // Another practitioner erasing the scene's client erases their own appointments with them: none.
  'DELETE /practitioners/me/clients/{clientId}/appointments': {
    path: (s) => `/practitioners/me/clients/${s.clientId}/appointments`,
    answers: 200,
  },
  // Reviews, part A: the review of the scene's appointment (its id derives from the appointment's).
  'PATCH /reviews/{reviewId}': {
    path: (s) => `/reviews/${s.appointmentId.replace('apt_', 'rev_')}`,
    body: () => ({ rating: 1, text: 'Une séance vraiment très décevante.' }),
  },
  'DELETE /reviews/{reviewId}': { path: (s) => `/reviews/${s.appointmentId.replace('apt_', 'rev_')}` },
  'PUT /reviews/{reviewId}/reply': {
    path: (s) => `/reviews/${s.appointmentId.replace('apt_', 'rev_')}/reply`,
    body: () => ({ text: 'Réponse d’un inconnu.' }),
  },
  // Reviews, part B: anyone signed in reports a published review (by design); the scene's
  // appointment has no published review, so a stranger's report of it finds none.
  'POST /reviews/{reviewId}/reports': {
    path: (s) => `/reviews/${s.appointmentId.replace('apt_', 'rev_')}/reports`,
    body: () => ({ reason: 'abusive', explanation: 'Des propos injurieux dans cet avis.' }),
  },
  // Only the reporter and the review's author appeal a decision: a stranger finds none (the
  // appeal of a real decision by a non-party is in test/e2e/review-reports.test.ts).
  'POST /moderation/decisions/{reportId}/appeals': {
    path: (s) => `/moderation/decisions/${s.appointmentId.replace('apt_', 'rpt_')}/appeals`,
    body: () => ({ explanation: 'Je conteste cette décision.' }),
  },
  // Messaging: the scene's conversation, by another client and another practitioner.
  'GET /conversations/{conversationId}/messages': { path: (s) => `/conversations/${s.conversationId}/messages` },
  'POST /conversations/{conversationId}/messages': {
    path: (s) => `/conversations/${s.conversationId}/messages`,
    body: () => ({ text: 'Un message d’un inconnu' }),
  },
  'POST /conversations/{conversationId}/read': { path: (s) => `/conversations/${s.conversationId}/read` },
  'PUT /conversations/{conversationId}/block': {
    path: (s) => `/conversations/${s.conversationId}/block`,
    body: () => ({ blocked: true }),
  },
  'POST /conversations/{conversationId}/close': { path: (s) => `/conversations/${s.conversationId}/close` },
  'POST /conversations/{conversationId}/messages/{messageId}/reports': {
    path: (s) => `/conversations/${s.conversationId}/messages/${s.messageId}/reports`,
    body: () => ({ reason: 'spam' }),
  },
  // Consents: the path names a choice, never a person: a stranger changes their own choice only
  // (the scene's client's consents come out unchanged).
  'PUT /me/consents/{choice}': {
    path: () => '/me/consents/message-mail-alerts',
    body: () => ({ granted: true, wordingVersion: '2026-12-01' }),
    answers: 200,
  },
  // Data exports: the client's export, read by another client and another practitioner.
  'GET /me/exports/{exportId}': { path: (s) => `/me/exports/${s.exportId}` },
  // Support tickets: the client's ticket, read and answered by another client and another practitioner.
  'GET /me/support-tickets/{ticketId}': { path: (s) => `/me/support-tickets/${s.ticketId}` },
  'POST /me/support-tickets/{ticketId}/messages': {
    path: (s) => `/me/support-tickets/${s.ticketId}/messages`,
    body: () => ({ text: 'Un message d’un inconnu' }),
  },
};

const keyOf = (r: { method: string; path: string }) => `${r.method} ${r.path}`;

/** The groups a test person of a role has: staff accounts are client accounts with a staff group. */
const groupsOf = (who: Role): readonly Role[] => (who === 'client' || who === 'practitioner' ? [who] : [who, 'client']);

function mayCall(allowed: Allowed, who: Role | 'anonymous'): boolean {
  if (allowed === 'everyone') return true;
  if (who === 'anonymous') return false;
  return allowed === 'signed-in' || groupsOf(who).some((role) => allowed.includes(role));
}

function call(key: string, entry: Entry, token?: string) {
  const [method, path] = key.split(' ') as [string, string];
  return callFrom(IP, `${cloud.urls.api}${entry.path ?? path}`, {
    method,
    headers: {
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...(entry.body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    ...(entry.body === undefined ? {} : { body: JSON.stringify(entry.body) }),
  });
}

describe('authorization matrix', () => {
  it('has an entry for every route, and the entry agrees with the declared access', () => {
    const missing = routes.map(keyOf).filter((k) => !(k in matrix));
    expect(missing, 'routes without a matrix entry').toEqual([]);
    expect(Object.keys(matrix).filter((k) => !routes.some((r) => keyOf(r) === k))).toEqual([]);
    for (const route of routes) {
      const { allowed } = matrix[keyOf(route)]!;
      const access = route.operation.access;
      const declared: Allowed =
        access.kind === 'public' ? 'everyone' : access.kind === 'authenticated' ? 'signed-in' : access.roles;
      expect(declared, keyOf(route)).toEqual(allowed);
    }
  });

  it('answers every route as the matrix says, for every role, a forged token and no token', {
    timeout: 120_000,
  }, async () => {
    const people = new Map<Role, Person>();
    for (const role of roles) people.set(role, await signedInPerson(cloud, role));
    const forged = (() => {
      const [h, p, s] = people.get('client')!.idToken.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      return `${h}.${Buffer.from(JSON.stringify({ ...claims, 'cognito:groups': ['dpo'] })).toString('base64url')}.${s}`;
    })();

    const failures: string[] = [];
    const ordered = Object.entries(matrix).sort(([, a], [, b]) => Number(a.last ?? false) - Number(b.last ?? false));
    for (const [key, entry] of ordered) {
      const callers: Array<[Role | 'anonymous' | 'forged', string | undefined]> = [
        ['anonymous', undefined],
        ['forged', forged],
        ...roles.map((role) => [role, people.get(role)!.idToken] as [Role, string]),
      ];
      for (const [who, token] of callers) {
        const reply = await call(key, entry, token);
        const expected =
          who === 'forged'
            ? entry.allowed === 'everyone'
              ? entry.status
              : 401
            : mayCall(entry.allowed, who)
              ? entry.status
              : who === 'anonymous'
                ? 401
                : 403;
        if (reply.status !== expected) failures.push(`${key} as ${who}: ${reply.status}, expected ${expected}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('gives every route that acts on someone’s object a stranger case, and strangers get a 404 and change nothing', {
    timeout: 120_000,
  }, async () => {
    // Public routes act on no one's private object (GET /practitioners/{practitionerId} shows a
    // published profile to everyone), staff routes act on anyone's by design: the others, with a
    // path parameter, can reach someone else's object and need a stranger case.
    const staff: readonly Role[] = ['support', 'moderator', 'dpo'];
    const ownerRoutes = routes.filter(
      (r) =>
        r.path.includes('{') &&
        r.operation.access.kind !== 'public' &&
        !(r.operation.access.kind === 'role' && r.operation.access.roles.every((role) => staff.includes(role))),
    );
    expect(ownerRoutes.map(keyOf).sort()).toEqual(Object.keys(strangerCases).sort());

    // The scene: a client's appointment with a practitioner; the strangers are another client and
    // another practitioner.
    const [practitioner, client, otherClient, otherPractitioner] = await Promise.all([
      signedInPerson(cloud, 'practitioner'),
      signedInPerson(cloud, 'client'),
      signedInPerson(cloud, 'client'),
      signedInPerson(cloud, 'practitioner'),
    ]);
    const agenda = await openAgenda(cloud, IP, practitioner);
    const slots = await freeSlots(cloud, IP, agenda, parisDate(2), parisDate(2));
    const booked = JSON.parse((await book(cloud, IP, client, agenda, slots[0]!.start)).body) as { id: string };
    const opened = await callAs(cloud, IP, client, 'POST', '/conversations', {
      practitionerId: practitioner.accountId,
    });
    const conversationId = (JSON.parse(opened.body) as { id: string }).id;
    const hello = await callAs(cloud, IP, practitioner, 'POST', `/conversations/${conversationId}/messages`, {
      text: 'Bonjour, à bientôt',
    });
    const scene = {
      appointmentId: booked.id,
      clientId: client.accountId,
      freeStart: slots[1]!.start,
      conversationId,
      messageId: (JSON.parse(hello.body) as { id: string }).id,
      exportId: (JSON.parse((await callAs(cloud, IP, client, 'POST', '/me/exports')).body) as { exportId: string })
        .exportId,
      ticketId: (
        JSON.parse(
          (
            await callAs(cloud, IP, client, 'POST', '/me/support-tickets', {
              category: 'question',
              subject: 'Une question',
              text: 'Bonjour, une question.',
            })
          ).body,
        ) as { id: string }
      ).id,
    };

    const failures: string[] = [];
    for (const [key, strangerCase] of Object.entries(strangerCases)) {
      const [method, pathTemplate] = key.split(' ') as [string, string];
      const path = strangerCase.path(scene);
      expect(path.startsWith(pathTemplate.split('{')[0]!), key).toBe(true);
      for (const stranger of [otherClient, otherPractitioner]) {
        const reply = await callAs(cloud, IP, stranger, method, path, strangerCase.body?.(scene));
        // a stranger of a role the route refuses gets its 403 from the matrix above
        if (![404, 403, strangerCase.answers].includes(reply.status))
          failures.push(`${key} by a stranger: ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
    const seen = JSON.parse((await callAs(cloud, IP, client, 'GET', `/bookings/${booked.id}`)).body);
    expect(seen).toMatchObject({ state: 'confirmed', start: slots[0]!.start, version: 2 });
    // The conversation too: one message, unread, open, unblocked.
    const mine = JSON.parse((await callAs(cloud, IP, client, 'GET', '/conversations')).body) as {
      items: { id: string; unreadCount: number; canSend: boolean; blockedByOtherParty: boolean }[];
    };
    expect(mine.items.find((c) => c.id === conversationId)).toMatchObject({
      unreadCount: 1,
      canSend: true,
      blockedByOtherParty: false,
    });
    const messages = await callAs(cloud, IP, client, 'GET', `/conversations/${conversationId}/messages`);
    expect((JSON.parse(messages.body) as { items: unknown[] }).items).toHaveLength(1);
    const consents = await callAs(cloud, IP, client, 'GET', '/me/consents');
    expect((JSON.parse(consents.body) as { history: unknown[] }).history).toEqual([]);
    // The ticket too: its one message, waiting for support.
    const ticket = await callAs(cloud, IP, client, 'GET', `/me/support-tickets/${scene.ticketId}`);
    expect(JSON.parse(ticket.body)).toMatchObject({ status: 'waiting-for-support', messageCount: 1 });
  });

  // Revoked tokens (shared/security/revocations.ts): a token issued before its account's suspension
  // or deletion is refused by every signed-in route, before any handler logic; a reinstated
  // account's is let in again. The people are made for this test and make no call before their
  // suspension or deletion, so no function instance has let them in (an instance trusts an
  // admission 30 s: test/e2e/account-suspension.test.ts waits that out for one).
  it('refuses a suspended (403) and a deleted (410) account on every signed-in route, and lets a reinstated one in again', {
    timeout: 300_000,
  }, async () => {
    const REVOKED_IP = '127.0.0.91';
    const send = (key: string, entry: Entry, token: string) => {
      const [method, path] = key.split(' ') as [string, string];
      return callFrom(REVOKED_IP, `${cloud.urls.api}${entry.path ?? path}`, {
        method,
        headers: {
          Authorization: `Bearer ${token}`,
          ...(entry.body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        ...(entry.body === undefined ? {} : { body: JSON.stringify(entry.body) }),
      });
    };
    const actor = await signedInPerson(cloud, 'moderator');
    const suspended = new Map<Role, Person>();
    const deleted = new Map<Role, Person>();
    for (const role of roles) {
      suspended.set(role, await signedInPerson(cloud, role));
      deleted.set(role, await signedInPerson(cloud, role));
    }
    const reason = { reason: 'Authorization matrix: revoked tokens' };
    for (const person of suspended.values()) {
      const path = `/staff/accounts/${person.accountId}/suspend`;
      expect((await callAs(cloud, REVOKED_IP, actor, 'POST', path, reason)).status).toBe(200);
    }
    for (const person of deleted.values()) {
      expect((await callAs(cloud, REVOKED_IP, person, 'DELETE', '/me')).status).toBe(202);
    }

    const signedInRoutes = Object.entries(matrix)
      .filter(([, entry]) => entry.allowed !== 'everyone')
      .sort(([, a], [, b]) => Number(a.last ?? false) - Number(b.last ?? false));
    expect(signedInRoutes.length).toBe(routes.filter((r) => r.operation.access.kind !== 'public').length);
    /** A person of a role the route lets in: the check under test is the revocation, not the role. */
    const allowedIn = (entry: Entry, people: Map<Role, Person>) =>
      people.get(roles.find((role) => mayCall(entry.allowed, role))!)!;

    const failures: string[] = [];
    for (const [key, entry] of signedInRoutes) {
      for (const [people, status, title] of [
        [suspended, 403, 'Account suspended'],
        [deleted, 410, 'Account deleted'],
      ] as const) {
        const person = allowedIn(entry, people);
        const reply = await send(key, entry, person.idToken);
        const problem = JSON.parse(reply.body || '{}') as { title?: string };
        if (reply.status !== status || problem.title !== title) {
          failures.push(`${key} as ${title}: ${reply.status} ${problem.title}, expected ${status}`);
        }
        if (reply.body.includes(person.accountId)) failures.push(`${key}: the problem names the account`);
      }
    }
    expect(failures).toEqual([]);

    for (const person of suspended.values()) {
      const path = `/staff/accounts/${person.accountId}/reinstate`;
      expect((await callAs(cloud, REVOKED_IP, actor, 'POST', path, { reason: 'Appeal upheld' })).status).toBe(200);
    }
    // An instance that refused an account keeps the refusal REFUSAL_CACHE_SECONDS at most.
    await new Promise((resolve) => setTimeout(resolve, REFUSAL_CACHE_SECONDS * 1000 + 500));
    for (const [key, entry] of signedInRoutes) {
      const reply = await send(key, entry, allowedIn(entry, suspended).idToken);
      if (reply.status !== entry.status) failures.push(`${key} reinstated: ${reply.status}, expected ${entry.status}`);
    }
    expect(failures).toEqual([]);
  });
});

/**
 * The newsletter's use cases (ADR 0020): what the handlers run, with injected deps. No address is
 * ever logged or published: events carry the subscription id, outcomes are words.
 */
import {
  NewsletterConfirmed,
  NewsletterRenewalAsked,
  NewsletterRenewed,
  NewsletterSubscribed,
  NewsletterUnsubscribed,
} from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { PersonDirectory } from '#shared/identity/people.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import { utcDay } from '#shared/retention/expiry.ts';
import type { SubscriptionStore } from './adapters/subscription-store.ts';
import type { SubscriptionInput } from './contract.ts';
import { confirmationMail, renewalMail } from './domain/mails.ts';
import {
  type ConfirmedSubscription,
  decideConfirm,
  decideSubscribe,
  pendingRequest,
  RENEWAL_NOTICE_DAYS,
  renewalDue,
  type SesFeedback,
  sesFeedbackOf,
  subscriptionWording,
  type UnsubscribeReason,
} from './domain/subscription.ts';
import {
  addressDigest,
  confirmationMatches,
  type LinkPurpose,
  linkToken,
  newConfirmationToken,
  parseToken,
  verifyLinkToken,
} from './domain/tokens.ts';

export interface NewsletterDeps {
  readonly store: SubscriptionStore;
  readonly events: EventPublisher;
  readonly mailer: Mailer;
  readonly clock: Clock;
  /** The key of the address digests and the long-lived links (SSM, read once). */
  readonly pepper: () => Promise<string>;
  /** The public URL of the API the links point at, without a trailing slash. */
  readonly linkBase: string;
  /** 32 random bytes (a confirmation link's secret); injected for tests. */
  readonly random?: () => Buffer;
}

/** What the link routes need: no mail, no link base. */
export type LinkDeps = Pick<NewsletterDeps, 'store' | 'events' | 'clock' | 'pepper'>;

/** The page a link route answers: what happened, in a word. */
export type LinkOutcome = 'confirmed' | 'unsubscribed' | 'renewed' | 'invalid';

const DAY_MS = 86_400_000;

const linkUrl = (base: string, path: 'confirmation' | 'unsubscribe' | 'renewal', token: string) =>
  `${base}/newsletter/${path}?token=${encodeURIComponent(token)}`;

/** The links every newsletter mail of an address carries (its footer, its List-Unsubscribe). */
export async function linksFor(deps: Pick<NewsletterDeps, 'pepper' | 'linkBase'>, digest: string) {
  const pepper = await deps.pepper();
  const token = (purpose: LinkPurpose) => linkToken(pepper, purpose, digest);
  return {
    unsubscribe: linkUrl(deps.linkBase, 'unsubscribe', token('unsubscribe')),
    renewal: linkUrl(deps.linkBase, 'renewal', token('renewal')),
    clickToken: token('click'),
  };
}

export const SUBSCRIPTION_ACCEPTED = {
  accepted: true,
  message:
    'Si cette adresse peut recevoir la newsletter et n’y est pas encore abonnée, un email de confirmation vient de lui être envoyé.',
} as const;

export type SubscribeOutcome = 'requested' | 'confirmed-already' | 'undeliverable' | 'recently-mailed';

/**
 * A request from the form: the same answer whatever the address (no enumeration). A new or
 * pending address (mailed more than 10 minutes ago) gets a new confirmation link; a confirmed or
 * undeliverable one (bounce, complaint), or one just mailed, gets nothing. A mail that fails is a
 * 503, and the request may be sent again at once.
 */
export async function subscribe(
  deps: NewsletterDeps,
  input: SubscriptionInput,
  correlationId: string,
): Promise<{ answer: typeof SUBSCRIPTION_ACCEPTED; outcome: SubscribeOutcome }> {
  if (input.wordingVersion !== subscriptionWording.version) {
    throw new HttpProblem(409, 'Conflict', 'The wording changed: read it again', {
      errors: [{ field: 'wordingVersion', message: `the current version is ${subscriptionWording.version}` }],
    });
  }
  const now = deps.clock.now();
  const digest = addressDigest(await deps.pepper(), input.email);
  const decision = decideSubscribe(await deps.store.read(digest, now), now);
  if (decision.kind === 'silent') {
    const outcome = decision.why === 'confirmed' ? 'confirmed-already' : decision.why;
    return { answer: SUBSCRIPTION_ACCEPTED, outcome };
  }
  const subscriptionId = decision.subscriptionId ?? newId('nls');
  const link = newConfirmationToken(digest, deps.random);
  const email = input.email.trim();
  const pending = pendingRequest(
    { subscriptionId, email, wordingVersion: input.wordingVersion, source: input.source },
    link.hash,
    now,
  );
  if (!(await deps.store.request(digest, pending, now))) {
    return { answer: SUBSCRIPTION_ACCEPTED, outcome: 'confirmed-already' };
  }
  try {
    await deps.mailer.send(
      confirmationMail(
        email,
        linkUrl(deps.linkBase, 'confirmation', link.token),
        new Date(pending.confirmationExpiresAt),
      ),
    );
    await deps.events.publish(NewsletterSubscribed, { subscriptionId }, { correlationId });
  } catch {
    // Not "recently mailed": the person may send the request again at once.
    await deps.store.request(digest, { ...pending, mailedAt: new Date(0).toISOString() }, now).catch(() => false);
    throw new HttpProblem(503, 'Service unavailable', 'The confirmation could not be sent; please try again', {
      headers: { 'Retry-After': '30' },
    });
  }
  return { answer: SUBSCRIPTION_ACCEPTED, outcome: 'requested' };
}

/** The confirmation link, posted: idempotent (the same link again says confirmed). */
export async function confirm(deps: Pick<NewsletterDeps, 'store' | 'events' | 'clock'>, token: string) {
  const parts = parseToken(token);
  if (!parts) return 'invalid' satisfies LinkOutcome;
  const now = deps.clock.now();
  const matches = (hash: string) => confirmationMatches(parts.secret, hash);
  for (let attempt = 0; attempt < 2; attempt++) {
    const { subscription } = await deps.store.read(parts.digest, now);
    const decision = decideConfirm(subscription, matches, now);
    if (decision.kind === 'invalid') return 'invalid' satisfies LinkOutcome;
    if (decision.kind === 'already-confirmed') return 'confirmed' satisfies LinkOutcome;
    const confirmed = await deps.store.confirm(parts.digest, decision.pending, now);
    if (confirmed) {
      await deps.events.publish(NewsletterConfirmed, { subscriptionId: confirmed.subscriptionId });
      return 'confirmed' satisfies LinkOutcome;
    }
    // Changed meanwhile (confirmed by a second click, or a new request): read again.
  }
  return 'invalid' satisfies LinkOutcome;
}

/**
 * Ends a subscription at once and suppresses the address (keyed hash): the person, their answer
 * to the renewal, or SES. Idempotent: nothing left to end is no error.
 */
export async function endSubscription(
  deps: Pick<NewsletterDeps, 'store' | 'events' | 'clock'>,
  digest: string,
  reason: UnsubscribeReason,
  email?: string,
): Promise<boolean> {
  const { deleted } = await deps.store.suppress(digest, reason, deps.clock.now(), email);
  if (deleted) await deps.events.publish(NewsletterUnsubscribed, { subscriptionId: deleted.subscriptionId, reason });
  return Boolean(deleted);
}

/**
 * SES's feedback (a permanent bounce, a complaint), from SNS: each recipient's subscription ends
 * and the address is suppressed (a complaint about an address that is not subscribed is
 * suppressed too: SES names it). Counts only: the addresses are never logged.
 */
export async function recordSesFeedback(
  deps: LinkDeps,
  message: string,
): Promise<{ kind: SesFeedback['kind']; recipients: number; ended: number }> {
  const feedback = sesFeedbackOf(message);
  if (feedback.kind === 'ignored') return { kind: 'ignored', recipients: 0, ended: 0 };
  const pepper = await deps.pepper();
  let ended = 0;
  for (const address of feedback.addresses) {
    if (await endSubscription(deps, addressDigest(pepper, address), feedback.kind, address)) ended += 1;
  }
  return { kind: feedback.kind, recipients: feedback.addresses.length, ended };
}

/** RFC 8058's one-click POST (or the page's button), with a valid unsubscribe token. */
export async function unsubscribe(deps: LinkDeps, token: string): Promise<LinkOutcome> {
  const digest = verifyLinkToken(await deps.pepper(), 'unsubscribe', token);
  if (!digest) return 'invalid';
  await endSubscription(deps, digest, 'unsubscribed');
  return 'unsubscribed';
}

/** The renewal's answer: yes restarts the 3-year clock; no ends the subscription now. */
export async function answerRenewal(deps: LinkDeps, token: string, answer: 'yes' | 'no'): Promise<LinkOutcome> {
  const digest = verifyLinkToken(await deps.pepper(), 'renewal', token);
  if (!digest) return 'invalid';
  const now = deps.clock.now();
  const { subscription } = await deps.store.read(digest, now);
  if (subscription?.kind !== 'confirmed') return answer === 'no' ? 'unsubscribed' : 'invalid';
  if (answer === 'no') {
    await endSubscription(deps, digest, 'renewal-declined');
    return 'unsubscribed';
  }
  const moved = await deps.store.touch(digest, now);
  if (moved !== 'unchanged')
    await deps.events.publish(NewsletterRenewed, { subscriptionId: subscription.subscriptionId });
  return 'renewed';
}

/** A click in a newsletter (the tracked redirect): the last contact; the 3-year clock restarts. */
export async function recordContact(deps: Omit<LinkDeps, 'events'>, token: string): Promise<boolean> {
  const digest = verifyLinkToken(await deps.pepper(), 'click', token);
  if (!digest) return false;
  await deps.store.touch(digest, deps.clock.now());
  return true;
}

export interface RenewalReport {
  readonly daysDone: number;
  readonly asked: number;
  readonly failed: number;
  /** The run stopped before the horizon (time, or a failure): the next run goes on from the checkpoint. */
  readonly incomplete: boolean;
}

export const RENEWAL_JOB = 'renewal-asks';

const nextDay = (day: string) => utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + DAY_MS));

/**
 * The daily renewal asks: every subscription whose expiry day is up to 30 days ahead, read day by
 * day from the byExpiry index (never a Scan) after the last day done (a checkpoint), is asked once
 * per expiry whether to go on, by a newsletter mail. A click or a yes moves the expiry 3 years on,
 * out of the days done; no answer lets the expiry come: the purge deletes the subscription.
 */
export async function askRenewals(
  deps: NewsletterDeps,
  options: { exhausted?: () => boolean } = {},
): Promise<RenewalReport> {
  const now = deps.clock.now();
  const last = await deps.store.checkpoint(RENEWAL_JOB);
  const today = utcDay(now);
  const horizon = utcDay(new Date(now.getTime() + RENEWAL_NOTICE_DAYS * DAY_MS));
  let day = last && nextDay(last) > today ? nextDay(last) : today;
  let daysDone = 0;
  let asked = 0;
  let failed = 0;
  for (; day <= horizon; day = nextDay(day)) {
    for (const digest of await deps.store.expiringOn(day)) {
      if (options.exhausted?.()) return { daysDone, asked, failed, incomplete: true };
      const { subscription } = await deps.store.read(digest, now);
      if (subscription?.kind !== 'confirmed' || !renewalDue(subscription, now)) continue;
      const outcome = await askRenewal(deps, digest, subscription, now);
      if (outcome === 'asked') asked += 1;
      if (outcome === 'failed') failed += 1;
    }
    if (failed > 0) return { daysDone, asked, failed, incomplete: true };
    await deps.store.saveCheckpoint(RENEWAL_JOB, day);
    daysDone += 1;
  }
  return { daysDone, asked, failed, incomplete: false };
}

/** One ask, claimed first (once per expiry), released when the mail fails. */
async function askRenewal(
  deps: NewsletterDeps,
  digest: string,
  subscription: ConfirmedSubscription,
  now: Date,
): Promise<'asked' | 'asked-already' | 'failed'> {
  if (!(await deps.store.claimRenewalAsk(digest, subscription.expiresAt, now))) return 'asked-already';
  try {
    const links = await linksFor(deps, digest);
    await deps.mailer.send(renewalMail(subscription.email, links, new Date(subscription.expiresAt * 1000)));
  } catch {
    await deps.store.releaseRenewalAsk(digest, subscription.expiresAt);
    return 'failed';
  }
  await deps.events.publish(NewsletterRenewalAsked, { subscriptionId: subscription.subscriptionId });
  return 'asked';
}

export type ConsentOutcome = 'not-the-newsletter' | 'no-address' | 'ended' | 'nothing-to-end' | SubscribeOutcome;

/**
 * A signed-in person's newsletter choice (PUT /me/consents/newsletter, ConsentChanged): a
 * withdrawal ends the subscription of their address at once and suppresses it, as the one-click
 * unsubscribe does; a consent sends the double opt-in mail to their address (the subscription
 * starts only once they confirm, like any other). The address comes from their Cognito user.
 */
export async function followNewsletterConsent(
  deps: NewsletterDeps & { readonly people: PersonDirectory },
  change: { readonly accountId: string; readonly choice: string; readonly granted: boolean },
  correlationId: string,
): Promise<ConsentOutcome> {
  if (change.choice !== 'newsletter') return 'not-the-newsletter';
  const email = (await deps.people.identityOf(change.accountId))?.email;
  if (!email) return 'no-address';
  if (!change.granted) {
    const ended = await endSubscription(deps, addressDigest(await deps.pepper(), email), 'unsubscribed', email);
    return ended ? 'ended' : 'nothing-to-end';
  }
  const { outcome } = await subscribe(
    deps,
    { email, wordingVersion: subscriptionWording.version, source: 'app' },
    correlationId,
  );
  return outcome;
}

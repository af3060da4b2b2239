/**
 * Newsletter subscriptions, pure (ADR 0020): the wording a person subscribes on, the double
 * opt-in, the proof of consent, the suppression list, the renewal 30 days before the end.
 */
import type { newsletterUnsubscribeReasons } from '#events/catalogue.ts';

export type UnsubscribeReason = (typeof newsletterUnsubscribeReasons)[number];

/** Where the form was: the site or the app (the proof of consent names it). */
export const subscriptionSources = ['site', 'app'] as const;
export type SubscriptionSource = (typeof subscriptionSources)[number];

/**
 * What the form says next to the address field, in French. A new wording gets a new version;
 * a request on another version is refused (the person must read the current one).
 */
export const subscriptionWording = {
  text:
    'J’accepte de recevoir par email la newsletter de Mon Pro du Bien-Être (actualités de la plateforme, ' +
    'conseils bien-être). Je confirmerai mon inscription par le lien reçu par email ; je pourrai me désabonner ' +
    'à tout moment par le lien présent dans chaque envoi. Mon adresse est conservée 3 ans à compter de mon ' +
    'dernier clic dans une newsletter.',
  version: '2026-12-07',
} as const;

/** A confirmation link (and the request) lives this long. */
export const CONFIRMATION_DAYS = 7;
/** A new request for an address still pending mails again only after this long (no mail bombing). */
export const RESEND_AFTER_MS = 10 * 60_000;
/** The renewal is asked this long before the end of the subscription. */
export const RENEWAL_NOTICE_DAYS = 30;
const DAY_MS = 86_400_000;

/** The proof of consent, from the request. */
export interface ConsentProof {
  /** `nls_` + 32 hex digits; kept from the request to the end of the subscription. */
  readonly subscriptionId: string;
  readonly email: string;
  readonly wordingVersion: string;
  readonly source: SubscriptionSource;
  /** UTC, ISO 8601. */
  readonly requestedAt: string;
}

export interface PendingSubscription extends ConsentProof {
  readonly kind: 'pending';
  /** SHA-256 (hex) of the confirmation link's secret. */
  readonly confirmationHash: string;
  readonly confirmationExpiresAt: string;
  readonly mailedAt: string;
}

export interface ConfirmedSubscription extends ConsentProof {
  readonly kind: 'confirmed';
  readonly confirmedAt: string;
  readonly confirmationHash: string;
  readonly lastContactAt: string;
  readonly renewalAskedAt?: string;
  /** The expiry (epoch seconds) the renewal was asked for. */
  readonly renewalAskedFor?: number;
  /** The subscription's current expiry (epoch seconds). */
  readonly expiresAt: number;
}

export type Subscription = PendingSubscription | ConfirmedSubscription;

export interface Suppression {
  readonly reason: UnsubscribeReason;
  readonly suppressedAt: string;
}

/** What the table holds for an address (live items only). */
export interface AddressState {
  readonly subscription?: Subscription;
  readonly suppression?: Suppression;
}

export type SubscribeDecision =
  /** Write the request (a new one, or the pending one again with a new link) and mail the link. */
  | { readonly kind: 'request'; readonly subscriptionId: string | undefined }
  /** Nothing to do, and nothing that says so: the answer is the same. */
  | { readonly kind: 'silent'; readonly why: 'confirmed' | 'undeliverable' | 'recently-mailed' };

/**
 * A request for an address: confirmed already, nothing; suppressed after a bounce or a complaint,
 * nothing (the address cannot or will not receive mail; support lifts it); pending and mailed
 * less than 10 minutes ago, nothing; otherwise a request and its confirmation mail (an address
 * the person unsubscribed may subscribe again: the suppression goes only when they confirm).
 */
export function decideSubscribe(state: AddressState, now: Date): SubscribeDecision {
  const { subscription, suppression } = state;
  if (subscription?.kind === 'confirmed') return { kind: 'silent', why: 'confirmed' };
  if (suppression && (suppression.reason === 'bounce' || suppression.reason === 'complaint'))
    return { kind: 'silent', why: 'undeliverable' };
  if (subscription?.kind === 'pending' && now.getTime() - Date.parse(subscription.mailedAt) < RESEND_AFTER_MS)
    return { kind: 'silent', why: 'recently-mailed' };
  return { kind: 'request', subscriptionId: subscription?.subscriptionId };
}

/** The request to store, its link valid as long as it is kept. */
export function pendingRequest(
  proof: Omit<ConsentProof, 'requestedAt'>,
  confirmationHash: string,
  now: Date,
): PendingSubscription {
  return {
    kind: 'pending',
    ...proof,
    requestedAt: now.toISOString(),
    confirmationHash,
    confirmationExpiresAt: new Date(now.getTime() + CONFIRMATION_DAYS * DAY_MS).toISOString(),
    mailedAt: now.toISOString(),
  };
}

export type ConfirmDecision =
  | { readonly kind: 'confirm'; readonly pending: PendingSubscription }
  | { readonly kind: 'already-confirmed'; readonly subscription: ConfirmedSubscription }
  | { readonly kind: 'invalid' };

/** A confirmation link: the pending request's, unexpired; or the one that confirmed it (idempotent). */
export function decideConfirm(
  subscription: Subscription | undefined,
  secretMatches: (hash: string) => boolean,
  now: Date,
): ConfirmDecision {
  if (!subscription || !secretMatches(subscription.confirmationHash)) return { kind: 'invalid' };
  if (subscription.kind === 'confirmed') return { kind: 'already-confirmed', subscription };
  if (Date.parse(subscription.confirmationExpiresAt) <= now.getTime()) return { kind: 'invalid' };
  return { kind: 'confirm', pending: subscription };
}

/**
 * Whether the renewal is to be asked now: not yet for this end, which is within 30 days (and the
 * day the daily job reaches: 31 days at most, as the job goes through whole expiry days).
 */
export function renewalDue(subscription: ConfirmedSubscription, now: Date): boolean {
  const left = subscription.expiresAt * 1000 - now.getTime();
  return (
    left > 0 && left <= (RENEWAL_NOTICE_DAYS + 1) * DAY_MS && subscription.renewalAskedFor !== subscription.expiresAt
  );
}

/**
 * RFC 8058: the one-click POST carries `List-Unsubscribe=One-Click`, form-encoded
 * (application/x-www-form-urlencoded or multipart/form-data).
 */
export function isOneClickBody(body: string | undefined, contentType: string | undefined): boolean {
  if (!body) return false;
  const type = (contentType ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    return /name="?List-Unsubscribe"?\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/i.test(body);
  }
  return new URLSearchParams(body).getAll('List-Unsubscribe').includes('One-Click');
}

/** What an SES notification (bounce, complaint: through SNS) asks of the newsletter. */
export interface SesFeedback {
  readonly kind: 'bounce' | 'complaint' | 'ignored';
  /** The recipients concerned: a permanent bounce's, a complaint's. */
  readonly addresses: readonly string[];
}

const recipientsOf = (list: unknown): string[] =>
  Array.isArray(list)
    ? list.flatMap((r) =>
        r && typeof r === 'object' && typeof (r as { emailAddress?: unknown }).emailAddress === 'string'
          ? [(r as { emailAddress: string }).emailAddress]
          : [],
      )
    : [];

/**
 * SES's notification, as SNS delivers it (the message: JSON), from the identity's notifications
 * (`notificationType`) or a configuration set's event destination (`eventType`): a permanent
 * bounce or a complaint ends the subscription of each recipient; a transient bounce (a full
 * mailbox), a delivery or anything else is ignored. An address SES names as `Name <addr>` is
 * reduced to the address.
 */
export function sesFeedbackOf(message: string): SesFeedback {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return { kind: 'ignored', addresses: [] };
  }
  if (!parsed || typeof parsed !== 'object') return { kind: 'ignored', addresses: [] };
  const notification = parsed as Record<string, unknown>;
  const type = notification.notificationType ?? notification.eventType;
  const plain = (address: string) => (/<([^>]+)>\s*$/.exec(address)?.[1] ?? address).trim();
  if (type === 'Bounce') {
    const bounce = (notification.bounce ?? {}) as Record<string, unknown>;
    if (bounce.bounceType !== 'Permanent') return { kind: 'ignored', addresses: [] };
    return { kind: 'bounce', addresses: recipientsOf(bounce.bouncedRecipients).map(plain) };
  }
  if (type === 'Complaint') {
    const complaint = (notification.complaint ?? {}) as Record<string, unknown>;
    return { kind: 'complaint', addresses: recipientsOf(complaint.complainedRecipients).map(plain) };
  }
  return { kind: 'ignored', addresses: [] };
}

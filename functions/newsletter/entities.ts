/**
 * The newsletter context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0020-newsletter.md. An address has one partition, `ADDR#<digest>`
 * (a keyed hash of it, never the address): its subscription (pending, then confirmed: the same
 * item, replaced) and its suppression entry.
 */
import type { PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

const consentFields = {
  subscriptionId: 'Identifiant de votre demande d’abonnement à la newsletter.',
  email: 'Adresse email à laquelle la newsletter est envoyée.',
  wordingVersion: 'Version du texte d’inscription qui vous a été présenté (preuve du consentement).',
  source: 'Endroit où vous avez demandé l’abonnement : le site (site) ou l’application (app).',
  requestedAt: 'Date et heure de votre demande d’abonnement (UTC, ISO 8601).',
} as const;

/**
 * A request to receive the newsletter, before its owner confirms it (`ADDR#<digest>` /
 * `SUBSCRIPTION`): the proof of what was asked, and the hash of the confirmation link, valid 7
 * days, as long as the request is kept. Confirming replaces it with the subscription.
 */
export const pendingSubscriptionEntity = {
  name: 'newsletter-pending-subscription',
  table: 'newsletter',
  description:
    'A request to receive the newsletter waiting for its confirmation (double opt-in): the address, the wording version, the source, the time, the hash of the confirmation link.',
  personalData: true,
  retention: { purpose: 'newsletter-confirmation', clockStartsAt: 'the request', sliding: false },
  export: {
    part: 'newsletter',
    fields: {
      ...consentFields,
      confirmationHash:
        'Empreinte (SHA-256) du secret du lien de confirmation qui vous a été envoyé ; le lien lui-même n’est pas conservé.',
      confirmationExpiresAt: 'Date et heure jusqu’auxquelles le lien de confirmation est valable (UTC, ISO 8601).',
      mailedAt: 'Date et heure de l’envoi du dernier email de confirmation (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A confirmed subscription (`ADDR#<digest>` / `SUBSCRIPTION`), with the proof of consent (the
 * request and its confirmation). Kept 3 years from the collection or the last contact: the
 * confirmation starts the clock, each click in a newsletter and a yes to the renewal move it.
 * In the `byAudience` index, which campaigns are sent through.
 */
export const subscriptionEntity = {
  name: 'newsletter-subscription',
  table: 'newsletter',
  description:
    'A confirmed newsletter subscription: the address, the proof of consent (wording version, source, request and confirmation times), the last contact, the renewal asked, the campaigns sent.',
  personalData: true,
  retention: {
    purpose: 'newsletter',
    clockStartsAt: 'the confirmation, then the last click in a newsletter or a yes to the renewal (the last contact)',
    sliding: true,
  },
  export: {
    part: 'newsletter',
    fields: {
      ...consentFields,
      confirmedAt: 'Date et heure à laquelle vous avez confirmé l’abonnement (UTC, ISO 8601).',
      confirmationHash:
        'Empreinte (SHA-256) du secret du lien de confirmation que vous avez utilisé ; le lien lui-même n’est pas conservé.',
      lastContactAt:
        'Date et heure de votre dernier contact (confirmation, clic dans une newsletter ou renouvellement) : l’abonnement est conservé 3 ans à compter de celle-ci (UTC, ISO 8601).',
      renewalAskedAt:
        'Date et heure à laquelle nous vous avons demandé si vous souhaitiez rester abonné(e), 30 jours avant la fin de l’abonnement (UTC, ISO 8601).',
      renewalAskedFor:
        'Échéance de l’abonnement au moment de cette demande (secondes depuis le 1er janvier 1970, UTC).',
      sentCampaigns: 'Identifiants des newsletters qui vous ont été envoyées.',
    },
  },
} as const satisfies RetainedEntity;

/**
 * The suppression entry of an address (`ADDR#<digest>` / `SUPPRESSION`): the keyed hash is the
 * key, the address is nowhere. Written when a subscription ends before its time (unsubscribed,
 * renewal declined, bounce, complaint), lifted by a new confirmed opt-in, kept 3 years.
 */
export const suppressionEntity = {
  name: 'newsletter-suppression',
  table: 'newsletter',
  description:
    'The suppression of an address from the newsletter: its keyed hash (never the address), the reason (unsubscribed, renewal declined, bounce, complaint) and the time.',
  personalData: true,
  retention: { purpose: 'newsletter-suppression', clockStartsAt: 'the unsubscription', sliding: false },
  keptOnErasure:
    'The objection must outlive the erasure: without it, a mistaken later subscription could mail the person again (GDPR art. 21(3); the address itself is not kept).',
  export: {
    withheld:
      'Une empreinte à clé de votre adresse, sans l’adresse, gardée 3 ans pour ne plus vous envoyer la newsletter sans une nouvelle inscription confirmée : elle ne contient rien que vous ne sachiez déjà (votre désabonnement et son motif).',
  },
} as const satisfies RetainedEntity;

/** A campaign (`CAMPAIGN#<cmp>` / `CAMPAIGN`): subject, texts, links, progress. No personal data. */
export const campaignEntity = {
  name: 'newsletter-campaign',
  table: 'newsletter',
  description:
    'A newsletter campaign: subject, text and HTML, its tracked links, its sending status and checkpoint (counts, cursor). No personal data.',
  personalData: false,
} as const satisfies PlainEntity;

/** A job's checkpoint (`JOB#<name>` / `CHECKPOINT`): the last expiry day the renewal job went through. */
export const jobCheckpointEntity = {
  name: 'newsletter-job-checkpoint',
  table: 'newsletter',
  description: 'The checkpoint of a newsletter job: the last expiry day the renewal asks went through.',
  personalData: false,
} as const satisfies PlainEntity;

export const newsletterEntities = [
  pendingSubscriptionEntity,
  subscriptionEntity,
  suppressionEntity,
  campaignEntity,
  jobCheckpointEntity,
] as const;

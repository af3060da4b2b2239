/**
 * The reviews context's entity types (registered in functions/entities.ts); the keys and the
 * lifecycle are in docs/adr/0015-reviews-and-moderation.md.
 */
import type { OwnedEntity, PlainEntity, RetainedEntity } from '#shared/retention/entity.ts';

/** From BookingCompleted: the client may review this appointment, for 90 days from it. */
export const reviewInvitationEntity = {
  name: 'review-invitation',
  table: 'reviews',
  description: 'A completed appointment its client may review: client, practitioner (account ids), start.',
  personalData: true,
  retention: { purpose: 'review-invitation', clockStartsAt: "the appointment's date", sliding: false },
  export: {
    part: 'reviews',
    fields: {
      appointmentId: 'Identifiant du rendez-vous terminé que vous pouvez évaluer.',
      clientId: 'Identifiant du compte du client invité à donner un avis.',
      practitionerId: 'Identifiant du compte du praticien du rendez-vous.',
      startsAt: 'Date et heure de début du rendez-vous (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * A review of one appointment (`REVIEW#<rev>`), the root of its partition: its reply and its
 * moderation decisions go with it. The subject key is the author's account.
 */
export const reviewEntity = {
  name: 'review',
  table: 'reviews',
  description:
    "A client's review of a completed appointment: rating, text, author's first name and initial, experience date, moderation state.",
  personalData: true,
  retention: { purpose: 'review', clockStartsAt: "the appointment's date (the experience)", sliding: false },
  export: {
    part: 'reviews',
    fields: {
      id: 'Identifiant de l’avis.',
      appointmentId: 'Identifiant du rendez-vous évalué.',
      practitionerId: 'Identifiant du compte du praticien évalué.',
      authorId: 'Identifiant du compte de l’auteur de l’avis.',
      authorName: 'Nom de l’auteur tel qu’affiché avec l’avis (prénom et initiale).',
      experienceAt: 'Date et heure du rendez-vous évalué (UTC, ISO 8601).',
      state: 'État de l’avis : en attente de modération, publié, refusé ou retiré.',
      rating: 'Note attribuée, de 1 à 5.',
      text: 'Texte de l’avis dans sa dernière version soumise.',
      createdAt: 'Date et heure de création de l’avis (UTC, ISO 8601).',
      submittedAt: 'Date et heure de la dernière soumission de l’avis à la modération (UTC, ISO 8601).',
      published: 'Version publiée de l’avis : note, texte, date de publication et de dernière mise à jour.',
      revisionPending: 'Indique qu’une modification de l’avis publié attend la modération.',
      restricted:
        'Indique que le texte de l’avis est masqué à la suite d’un signalement (seule la note reste publiée).',
      refusal: 'Motif et date du refus de l’avis par la modération.',
      claimedBy: 'Identifiant du modérateur qui l’examinait ou l’examine (prise en charge en cours).',
      claimExpiresAt: 'Fin de la prise en charge par ce modérateur (millisecondes depuis le 1er janvier 1970, UTC).',
      staleAlertedAt:
        'Date de la dernière alerte aux modérateurs sur une attente trop longue (millisecondes depuis le 1er janvier 1970, UTC).',
    },
  },
  owns: 'partition',
} as const satisfies RetainedEntity;

/** The practitioner's one public reply to a review, moderated like it. */
export const reviewReplyEntity = {
  name: 'review-reply',
  table: 'reviews',
  description: "The reviewed practitioner's public reply to a review, and its moderation state.",
  personalData: true,
  ownedBy: reviewEntity.name,
  export: {
    part: 'reviews',
    fields: {
      reviewId: 'Identifiant de l’avis auquel répond la réponse.',
      practitionerId: 'Identifiant du compte du praticien auteur de la réponse.',
      state: 'État de la réponse : en attente de modération, publiée ou refusée.',
      text: 'Texte de la réponse dans sa dernière version soumise.',
      submittedAt: 'Date et heure de la dernière soumission de la réponse à la modération (UTC, ISO 8601).',
      published: 'Version publiée de la réponse : texte, date de publication et de dernière mise à jour.',
      revisionPending: 'Indique qu’une modification de la réponse publiée attend la modération.',
      refusal: 'Motif et date du refus de la réponse par la modération.',
      claimedBy: 'Identifiant du modérateur qui l’examinait ou l’examine (prise en charge en cours).',
      claimExpiresAt: 'Fin de la prise en charge par ce modérateur (millisecondes depuis le 1er janvier 1970, UTC).',
      staleAlertedAt:
        'Date de la dernière alerte aux modérateurs sur une attente trop longue (millisecondes depuis le 1er janvier 1970, UTC).',
    },
  },
} as const satisfies OwnedEntity;

/** A moderator's decision on a review or its reply (accept / refuse), in the review's partition. */
export const reviewDecisionEntity = {
  name: 'review-decision',
  table: 'reviews',
  description: 'A pre-moderation decision on a review or a reply: moderator, outcome, reason, date.',
  personalData: true,
  ownedBy: reviewEntity.name,
  export: {
    part: 'reviews',
    fields: {
      id: 'Identifiant de la décision de modération.',
      reviewId: 'Identifiant de l’avis concerné.',
      target: 'Ce sur quoi porte la décision : l’avis ou sa réponse.',
      outcome: 'Résultat de la décision : accepté ou refusé.',
      reason: 'Motif du refus (code).',
      note: 'Précision apportée par le modérateur.',
      moderatorId: 'Identifiant du modérateur qui a pris la décision.',
      decidedAt: 'Date et heure de la décision (UTC, ISO 8601).',
      mailedAt: 'Date et heure de l’envoi de l’email vous informant de la décision (UTC, ISO 8601).',
    },
  },
} as const satisfies OwnedEntity;

/** The per-practitioner summary projection: ratings by review id, no person named. */
export const reviewSummaryEntity = {
  name: 'review-summary',
  table: 'reviews',
  description: "A practitioner's review summary (count, average, distribution), projected from review events.",
  personalData: false,
} as const satisfies PlainEntity;

/**
 * A report of a published review (`REPORT#<rpt>`), the root of its partition (its decision and
 * appeal): reporter, reason, explanation, a snapshot of the reported text. 5 years from the report.
 */
export const reportEntity = {
  name: 'report',
  table: 'reviews',
  description:
    'A report of a published review: reporter, reason, explanation, the reported text, the decision and its statement of reasons.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report', sliding: false },
  owns: 'partition',
  export: {
    part: 'reviews',
    fields: {
      id: 'Identifiant du signalement.',
      reviewId: 'Identifiant de l’avis signalé.',
      practitionerId: 'Identifiant du compte du praticien concerné par l’avis signalé.',
      reviewAuthorId: 'Identifiant du compte de l’auteur de l’avis signalé.',
      reporterId: 'Identifiant du compte qui a fait le signalement.',
      reason: 'Motif du signalement (code).',
      explanation: 'Explication donnée avec le signalement.',
      reported: 'Copie de l’avis signalé au moment du signalement : note, texte, visibilité restreinte ou non.',
      filedAt: 'Date et heure du signalement (UTC, ISO 8601).',
      state: 'État du signalement : ouvert ou décidé.',
      decision: 'Décision sur le signalement : résultat, fondement, exposé des motifs, modérateur, date.',
      appealByReporter: 'Identifiant du recours formé par l’auteur du signalement contre la décision.',
      appealByAuthor: 'Identifiant du recours formé par l’auteur de l’avis contre la décision.',
      appealsFiled: 'Nombre de recours formés contre la décision.',
      reversed: 'Indique que la décision a été infirmée sur recours.',
      ackMailedAt: 'Date et heure de l’email accusant réception du signalement (UTC, ISO 8601).',
      decisionMailedAt: 'Date et heure de l’email informant de la décision (UTC, ISO 8601).',
      claimedBy: 'Identifiant du modérateur qui l’examinait ou l’examine (prise en charge en cours).',
      claimExpiresAt: 'Fin de la prise en charge par ce modérateur (millisecondes depuis le 1er janvier 1970, UTC).',
      staleAlertedAt:
        'Date de la dernière alerte aux modérateurs sur une attente trop longue (millisecondes depuis le 1er janvier 1970, UTC).',
    },
  },
} as const satisfies RetainedEntity;

/** One open report per reporter and review: the lock, deleted when the report is decided. */
export const openReportLockEntity = {
  name: 'open-report-lock',
  table: 'reviews',
  description: 'Holds one open report per reporter and review (ids only).',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report', sliding: false },
  export: {
    part: 'reviews',
    fields: {
      reportId: 'Identifiant de votre signalement encore ouvert sur cet avis (un seul signalement ouvert par avis).',
    },
  },
} as const satisfies RetainedEntity;

/**
 * An appeal of a report's decision (`APPEAL#<apl>`), decided by another moderator. Kept as long as
 * the report it appeals: its clock is the report's date.
 */
export const appealEntity = {
  name: 'appeal',
  table: 'reviews',
  description: 'An appeal of a decision on a report: who appealed, why, and the second decision.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the report it appeals', sliding: false },
  export: {
    part: 'reviews',
    fields: {
      id: 'Identifiant du recours.',
      reportId: 'Identifiant du signalement dont la décision est contestée.',
      reviewId: 'Identifiant de l’avis concerné.',
      decisionId: 'Identifiant de la décision contestée.',
      appellantId: 'Identifiant du compte qui a formé le recours.',
      appellantRole: 'Qualité de l’auteur du recours : auteur du signalement ou auteur de l’avis.',
      explanation: 'Explication donnée avec le recours.',
      filedAt: 'Date et heure du recours (UTC, ISO 8601).',
      reportFiledAt: 'Date et heure du signalement dont la décision est contestée (UTC, ISO 8601).',
      state: 'État du recours : ouvert ou décidé.',
      decision: 'Décision sur le recours : confirmation ou infirmation, exposé des motifs, modérateur, date.',
      mailedAt: 'Date et heure de l’email informant de la décision sur le recours (UTC, ISO 8601).',
      claimedBy: 'Identifiant du modérateur qui l’examinait ou l’examine (prise en charge en cours).',
      claimExpiresAt: 'Fin de la prise en charge par ce modérateur (millisecondes depuis le 1er janvier 1970, UTC).',
      staleAlertedAt:
        'Date de la dernière alerte aux modérateurs sur une attente trop longue (millisecondes depuis le 1er janvier 1970, UTC).',
    },
  },
} as const satisfies RetainedEntity;

/** A reporter barred from reporting for a period after repeated unfounded reports (audited). */
export const reporterBarEntity = {
  name: 'reporter-bar',
  table: 'reviews',
  description: 'A reporter barred from reporting until a date: the moderator, the reason, the reports it rests on.',
  personalData: true,
  retention: { purpose: 'review-report', clockStartsAt: 'the bar', sliding: false },
  export: {
    part: 'reviews',
    fields: {
      accountId: 'Identifiant du compte privé de la possibilité de signaler des avis.',
      until: 'Date et heure jusqu’à laquelle les signalements sont refusés (UTC, ISO 8601).',
      reason: 'Motif de la suspension des signalements.',
      moderatorId: 'Identifiant du modérateur qui a décidé la suspension.',
      barredAt: 'Date et heure de la décision de suspension (UTC, ISO 8601).',
      reportIds: 'Identifiants des signalements infondés sur lesquels repose la suspension.',
    },
  },
} as const satisfies RetainedEntity;

export const reviewsEntities = [
  reviewInvitationEntity,
  reviewEntity,
  reviewReplyEntity,
  reviewDecisionEntity,
  reviewSummaryEntity,
  reportEntity,
  openReportLockEntity,
  appealEntity,
  reporterBarEntity,
] as const;

/**
 * The retention catalogue: one row per processing purpose of the privacy policy
 * (docs/privacy-policy.fr.txt, "Durée de conservation des données"), plus the purposes on
 * which the policy is silent, with the period we chose and why.
 *
 * It is the single source of truth for: the TTL written on every item (see ./expiry.ts), the
 * purge, the register of processing, and the test that holds it against the policy text.
 */

export type LegalBasis = 'contract' | 'legitimate-interest' | 'consent' | 'legal-obligation';

/** What starts the clock of a retention period. */
export type ClockStart =
  | 'collection-or-last-contact'
  | 'request'
  | 'last-activity'
  | 'deletion-request'
  | 'appointment-date'
  | 'end-of-exchange'
  | 'report'
  | 'connection'
  | 'ticket-closure'
  | 'transaction'
  | 'operation'
  | 'hold-lift'
  | 'action'
  | 'erasure'
  | 'answer'
  | 'withdrawal';

export interface Period {
  readonly years?: number;
  readonly months?: number;
  readonly days?: number;
}

export interface RetentionRule {
  /** The purpose as the policy names it (French, verbatim where the policy has it). */
  readonly purpose: string;
  readonly legalBases: readonly LegalBasis[];
  readonly dataCategories: readonly string[];
  readonly clockStart: ClockStart;
  /**
   * How long data is kept after the clock starts. `null` when we never store the data
   * (bank card data: Stripe holds it) or delete it at the clock event itself (support tickets).
   */
  readonly keep: Period | null;
  /** The sentence of the privacy policy this row implements; null when the policy is silent. */
  readonly policyText: string | null;
  /** Why, when the policy is silent or when the implementation needs a word. */
  readonly rationale?: string;
}

export const retentionCatalogue = {
  account: {
    purpose: "la gestion du compte en ligne de l'Utilisateur",
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['identité (nom, prénom)', 'email', 'téléphone', 'identifiants de connexion'],
    clockStart: 'last-activity',
    keep: { years: 5 },
    policyText:
      'pour la gestion du compte en ligne, les données sont conservées tant que le compte est actif. Les données sont ensuite conservées pendant une durée de 5 ans à compter de la dernière activité.',
  },
  'account-deletion': {
    purpose: "la gestion du compte en ligne de l'Utilisateur (après une demande de suppression)",
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['identité (nom, prénom)', 'email', 'téléphone', 'identifiants de connexion'],
    clockStart: 'deletion-request',
    keep: { months: 6 },
    policyText:
      "En cas de demande de suppression du compte par l'Utilisateur, ses données sont conservées pendant 6 mois.",
  },
  'practitioner-profile': {
    purpose: 'le référencement des praticiens (profil public)',
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['identité professionnelle', 'spécialités', "lieux d'exercice", 'prestations et tarifs'],
    clockStart: 'last-activity',
    keep: { years: 5 },
    policyText: null,
    rationale:
      "The policy is silent on practitioner profiles. A profile is part of the practitioner's account, so it follows the account rule: kept while the account is active, then 5 years from the last activity.",
  },
  appointment: {
    purpose: 'la gestion des rendez-vous avec les praticiens',
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['rendez-vous (date, prestation, praticien, client)'],
    clockStart: 'appointment-date',
    keep: { years: 5 },
    policyText:
      'pour la gestion des rendez-vous, les données sont conservées 5 ans à compter des dates de rendez-vous.',
  },
  payment: {
    purpose: 'la gestion des paiements des rendez-vous',
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['données bancaires (CB)'],
    clockStart: 'transaction',
    keep: null,
    policyText:
      'pour la gestion des paiements, les données bancaires ne sont conservées que le temps de la transaction.',
    rationale:
      "Card data never reaches our code beyond Stripe's SDK and is never stored by us: Stripe holds it. Payment records (Stripe identifiers, amounts, statuses) are kept with the appointment.",
  },
  exchange: {
    purpose: "la gestion des échanges entre l'Utilisateur et les praticiens",
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: ['contenu des échanges'],
    clockStart: 'end-of-exchange',
    keep: { years: 5 },
    policyText:
      "les échanges entre l'Utilisateur et les praticiens intervenus sur la plateforme sont conservées 5 ans à compter de la fin des échanges.",
  },
  newsletter: {
    purpose: 'la gestion des abonnements à la newsletter',
    legalBases: ['consent'],
    dataCategories: ['email', 'abonnement', 'dernier contact'],
    clockStart: 'collection-or-last-contact',
    keep: { years: 3 },
    policyText:
      "pour la gestion des abonnements à la newsletter (lettre d'actualités) : les données sont conservées pendant 3 ans à compter de la collecte des données ou du dernier contact émanant de l'usager",
  },
  'newsletter-confirmation': {
    purpose: 'la confirmation des inscriptions à la newsletter (double opt-in)',
    legalBases: ['consent'],
    dataCategories: [
      'email',
      'version du texte présenté, date et origine de la demande',
      'empreinte du lien de confirmation (jamais le lien)',
    ],
    clockStart: 'request',
    keep: { days: 7 },
    policyText: null,
    rationale:
      'The policy keeps newsletter data 3 years from collection, but an address is not a subscription until its owner confirms it (double opt-in: nobody is subscribed by a third party typing their address). A request is kept 7 days, as long as its confirmation link is valid, then deleted with nothing left of it.',
  },
  'newsletter-suppression': {
    purpose: 'le respect des désabonnements et oppositions à la newsletter (liste de suppression)',
    legalBases: ['legal-obligation', 'legitimate-interest'],
    dataCategories: [
      'empreinte à clé de l’adresse email (jamais l’adresse)',
      'motif (désabonnement, renouvellement refusé, adresse invalide, plainte)',
      'date du désabonnement',
    ],
    clockStart: 'withdrawal',
    keep: { years: 3 },
    policyText: null,
    rationale:
      'A withdrawn consent must be honoured (GDPR art. 7(3) and 21(3)): the subscription is deleted at once, and a keyed hash of the address (never the address) stays in a suppression list so that no mistaken later subscription mails the person without a new confirmed opt-in. The CNIL keeps what is needed to honour an objection 3 years from its exercise (référentiel « gestion des activités commerciales »); an erasure keeps it too, or the erasure would undo the objection.',
  },
  'contact-request': {
    purpose: 'la gestion des demandes de renseignements par le formulaire de contact',
    legalBases: ['legitimate-interest'],
    dataCategories: ['identité (nom)', 'email', 'téléphone (facultatif)', 'objet et contenu de la demande'],
    clockStart: 'request',
    keep: { years: 3 },
    policyText:
      'pour la gestion des demandes de renseignements par le formulaire de contact : 3 ans à compter de la demande.',
  },
  'review-report': {
    purpose:
      'la gestion des signalements relatifs aux avis laissés par les Utilisateurs clients concernant les praticiens',
    legalBases: ['contract', 'legal-obligation'],
    dataCategories: ['signalements', 'avis signalés'],
    clockStart: 'report',
    keep: { years: 5 },
    policyText:
      'pour la gestion des signalements relatifs aux avis laissés par les Utilisateurs clients concernant les praticiens, les données sont conservées 5 ans à compter du signalement.',
  },
  review: {
    purpose: 'la publication des avis des clients sur les praticiens et des réponses des praticiens',
    legalBases: ['contract', 'legitimate-interest'],
    dataCategories: [
      "avis (note, texte, date de l'expérience)",
      "auteur (prénom et initiale du nom à l'affichage)",
      'réponse du praticien',
      'décision de modération et son motif',
    ],
    clockStart: 'appointment-date',
    keep: { years: 5 },
    policyText: null,
    rationale:
      "The policy is silent on reviews. A review describes one appointment, so it follows the appointment's rule: kept (and, once accepted, published) at most 5 years from the date of the experience, as the appointment itself, then deleted; the author may withdraw it at any time (deleted at once). An account's deletion or erasure deletes its reviews (not anonymised: a review with its author removed could no longer be shown as verified). Reported reviews are kept as the report keeps them ('review-report').",
  },
  'review-invitation': {
    purpose: "l'invitation à donner un avis après un rendez-vous honoré",
    legalBases: ['contract'],
    dataCategories: ['rendez-vous honoré (identifiants du client et du praticien, date)'],
    clockStart: 'appointment-date',
    keep: { days: 90 },
    policyText: null,
    rationale:
      'A client may review an appointment marked completed within 90 days of it (our rule for verified reviews): the fact that makes them eligible is kept exactly that long, then deleted.',
  },
  'fraud-prevention': {
    purpose: 'la prévention et lutte contre la fraude informatique (spamming, hacking...)',
    legalBases: ['legitimate-interest'],
    dataCategories: ['données de connexion (adresse IP, identifiants de connexion)'],
    clockStart: 'connection',
    keep: { days: 30 },
    policyText:
      'pour la prévention et lutte contre la fraude informatique (spamming, hacking...), les données sont conservées 1 mois maximum.',
    rationale: '"1 mois maximum" is kept as 30 days, never more than the shortest month-long reading.',
  },
  support: {
    purpose: 'la fourniture du service support',
    legalBases: ['legitimate-interest', 'contract'],
    dataCategories: ['tickets et réclamations'],
    clockStart: 'ticket-closure',
    keep: null,
    policyText: 'pour la fourniture du service support, les données sont supprimées après la fermeture du ticket.',
    rationale:
      'A ticket and its messages are deleted at once, in one transaction, when the ticket is closed: by support (resolved or unresolved), or automatically when it has waited 30 days for its opener’s answer (a notice is mailed at day 23; a daily job reads the waiting tickets by date), so the clock always comes for a ticket waiting for its user. A ticket waiting for support stays in its queue, oldest first, until support closes it. Until the closure the items carry no expiry. What remains (no subject, no message) is the closure’s audit entry (purpose support-audit) and a count per month, category and outcome without personal data.',
  },
  'technical-operation': {
    purpose: 'la gestion technique de la plateforme (Maintenance, hébergement, sécurité, administration)',
    legalBases: ['legitimate-interest'],
    dataCategories: ['données techniques', 'journaux (sans donnée personnelle en clair)'],
    clockStart: 'operation',
    keep: { days: 30 },
    policyText:
      "pour la gestion technique de la plateforme, les données ne sont conservées que le temps nécessaire à l'opération technique.",
    rationale:
      'Logs hold no personal data in clear; CloudWatch log groups keep them 30 days, enough to investigate an incident.',
  },
  'legal-hold': {
    purpose: 'la conservation des données à la demande des autorités (gel des données)',
    legalBases: ['legal-obligation'],
    dataCategories: ['référence pseudonyme de la personne concernée', 'référence de la demande', 'motif'],
    clockStart: 'hold-lift',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'The policy names authorities as recipients "dans le cadre de procédures judiciaires". A hold record is kept while the hold is active, then 5 years from its lift: the limitation period of civil actions (Code civil art. 2224), so the platform can show what it preserved and why.',
  },
  'retention-audit': {
    purpose: "la preuve du respect des durées de conservation et des droits (journal d'audit)",
    legalBases: ['legal-obligation', 'legitimate-interest'],
    dataCategories: ['identifiants pseudonymes', 'actions du personnel et leur motif', 'comptages par finalité'],
    clockStart: 'action',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'Accountability (GDPR art. 5(2)): holds, erasures and purges are audited by identifier only. 5 years from the action, as the CNIL advises for proof of rights handling.',
  },
  'rights-request': {
    purpose:
      "la gestion des demandes d'exercice des droits (accès, rectification, effacement, opposition, portabilité)",
    legalBases: ['legal-obligation'],
    dataCategories: [
      'adresse électronique ou identifiant de compte de la personne',
      'type et canal de la demande',
      'dates de réception, de vérification, de prolongation et de réponse',
      "résultat de la vérification d'identité (jamais le justificatif)",
    ],
    clockStart: 'answer',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'The policy grants the rights and the one-month answer but is silent on keeping the requests. A request is kept open until answered, then 5 years from the answer, as the CNIL advises for proof of rights handling (GDPR art. 5(2), accountability); the identity proof itself is never kept.',
  },
  'data-export': {
    purpose: "la mise à disposition des données de la personne (droits d'accès et à la portabilité)",
    legalBases: ['legal-obligation'],
    dataCategories: [
      'identifiant de compte ou adresse électronique de la personne',
      'copie de ses données de toutes les finalités ci-dessus',
    ],
    clockStart: 'request',
    keep: { days: 7 },
    policyText: null,
    rationale:
      'GDPR art. 15 and 20: the export is a copy of data kept elsewhere for their own purposes. It is assembled from the parts of every context and kept 7 days from the request, long enough for the person to download it after the mail, short enough that a second copy of everything does not linger.',
  },
  'consent-proof': {
    purpose: 'la preuve des consentements et des oppositions (newsletter, emails « Nouveau message »)',
    legalBases: ['legal-obligation'],
    dataCategories: [
      'identifiant de compte',
      'choix (consentement donné ou retiré, opposition ou non)',
      'version du texte présenté',
      'date et heure du changement',
    ],
    clockStart: 'action',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'GDPR art. 7(1): the controller must be able to demonstrate that the person consented; the same record shows an objection (art. 21) was honoured. The policy is silent on keeping that proof. Each change is kept 5 years from the change, the limitation period of civil actions (Code civil art. 2224) and what the CNIL advises for proof of rights handling; the current state goes with its newest change (5 years from the latest change, a sliding clock), after which the defaults apply again.',
  },
  'post-mortem': {
    purpose: 'l’exécution des directives relatives au sort des données après le décès',
    legalBases: ['legal-obligation'],
    dataCategories: [
      'identifiant du compte de la personne décédée',
      'qualité de la personne qui a signalé le décès (héritier ou personne désignée)',
      'date du décès, vérification du justificatif (jamais le justificatif)',
      'directive appliquée et date de son exécution',
    ],
    clockStart: 'action',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'Loi Informatique et Libertés art. 85: the platform executes the directives, or the heirs’ rights without one. The record of the death and of the execution is kept 5 years from the recording, as for rights requests (accountability, GDPR art. 5(2)); it survives the erasure it proves. The death certificate is checked by the DPO and never stored.',
  },
  'support-audit': {
    purpose: 'la preuve du traitement des demandes de support et des réclamations (journal des fermetures)',
    legalBases: ['legitimate-interest'],
    dataCategories: [
      'identifiants du ticket et du compte qui l’a ouvert',
      'catégorie, dates d’ouverture et de fermeture, issue (jamais l’objet ni les messages)',
      'identifiants des membres du support qui l’ont pris en charge et fermé',
    ],
    clockStart: 'ticket-closure',
    keep: { years: 5 },
    policyText: null,
    rationale:
      'The policy deletes support data at the closure of the ticket, and so we do: the ticket and its messages go at once. What remains is a record without content (ids, category, times, outcome: the text is never in it), kept 5 years from the closure, the limitation period of civil actions (Code civil art. 2224): the platform can show that a complaint was received, handled and closed, which a consumer mediator asks of the professional before mediation (Code de la consommation L612-2). Counts of closed tickets per category, outcome and month hold no personal data.',
  },
  'erasure-log': {
    purpose: 'le rejeu des effacements après une restauration de sauvegarde',
    legalBases: ['legal-obligation'],
    dataCategories: ['identifiants techniques des éléments effacés (aucune donnée en clair)'],
    clockStart: 'erasure',
    keep: { days: 35 },
    policyText: null,
    rationale:
      'An erased item can come back with a point-in-time restore for as long as backups keep it (30 days). The log of erased keys outlives that window by 5 days, then has nothing left to protect against.',
  },
} as const satisfies Record<string, RetentionRule>;

export type RetentionPurpose = keyof typeof retentionCatalogue;

export const retentionPurposes = Object.keys(retentionCatalogue) as RetentionPurpose[];

/** Purposes whose data we store with an expiry (a period, not "never stored" / "at once"). */
export type TimedPurpose = {
  [P in RetentionPurpose]: (typeof retentionCatalogue)[P]['keep'] extends null ? never : P;
}[RetentionPurpose];

/**
 * Purposes whose data we store until the clock's event and delete at that event (`keep: null`,
 * unlike bank card data, which we never store): a support ticket lives until its closure, which
 * deletes it with its messages (functions/support/, ADR 0019). Its items wait without expiry
 * (`startsLater`); an expiry computed from such a purpose is the event itself.
 */
export type DeletedAtClockPurpose = 'support';

/** The purposes an entity holding personal data may be kept for (shared/retention/entity.ts). */
export type StoredPurpose = TimedPurpose | DeletedAtClockPurpose;

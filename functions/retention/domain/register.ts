/**
 * The register of processing (GDPR art. 30), pure: built from the retention catalogue (purposes,
 * legal bases, data, retention), the entity registry (where each purpose's data is stored) and the
 * backup window, plus what the catalogue does not hold (data subjects, recipients), declared here
 * once per purpose: a `Record` over the purposes, so a new purpose does not compile without them.
 * The same object is served as JSON to the DPO and rendered as Markdown by `npm run register`.
 */
import type * as z from 'zod';
import type { ClockStart, LegalBasis, Period, RetentionPurpose, RetentionRule } from '#shared/retention/catalogue.ts';
import type { EntityDefinition } from '#shared/retention/entity.ts';
import type { RegisterOfProcessing } from '../contract.ts';

export type Register = z.infer<typeof RegisterOfProcessing>;
type RegisterPurpose = Register['purposes'][number];

/** The controller, as the privacy policy names it (test/unit/register.test.ts holds it to the text). */
export const controller: Register['controller'] = {
  name: "Jupi'Terre (plateforme Mon Pro du Bien-Être, monprodubienetre.fr)",
  representative: "les responsables conjoints de Jupi'Terre",
  address: '196 Rue Nicéphore Niepce 83400 HYERES',
  contact: "l'adresse électronique de contact publiée dans la politique de confidentialité",
  dataProtectionOfficer: 'Délégué à la protection des données désigné auprès de la CNIL (DPO-114530)',
  rightsRequests:
    "Les dirigeants de Jupi'Terre, 196 Rue Nicéphore Niepce : demande signée, avec un justificatif d'identité " +
    'en cours de validité pour une demande par courrier ou par email (aucun justificatif depuis le compte connecté) ; ' +
    'réponse dans un délai d’un mois (RGPD art. 12(3)).',
};

export const policyVersion = 'Politique de confidentialité, dernière mise à jour : 21/10/2023';

const legalBasisText: Record<LegalBasis, string> = {
  contract: 'exécution du contrat : acceptation des CGU (art. 6.1.b)',
  'legitimate-interest': 'intérêt légitime (art. 6.1.f)',
  consent: 'consentement (art. 6.1.a)',
  'legal-obligation': 'obligation légale (art. 6.1.c)',
};

/** What starts each clock: as a noun, and after "à compter" (French contracts "de le" and "de les"). */
const clockText: Record<ClockStart, { noun: string; from: string }> = {
  'collection-or-last-contact': {
    noun: 'la collecte des données ou le dernier contact émanant de la personne',
    from: 'de la collecte des données ou du dernier contact émanant de la personne',
  },
  request: { noun: 'la demande', from: 'de la demande' },
  'last-activity': { noun: 'la dernière activité', from: 'de la dernière activité' },
  'deletion-request': { noun: 'la demande de suppression du compte', from: 'de la demande de suppression du compte' },
  'appointment-date': { noun: 'la date du rendez-vous', from: 'de la date du rendez-vous' },
  'end-of-exchange': { noun: 'la fin des échanges', from: 'de la fin des échanges' },
  report: { noun: 'le signalement', from: 'du signalement' },
  connection: { noun: 'la connexion', from: 'de la connexion' },
  'ticket-closure': { noun: 'la fermeture du ticket', from: 'de la fermeture du ticket' },
  transaction: { noun: 'la transaction', from: 'de la transaction' },
  operation: { noun: "l'opération technique", from: "de l'opération technique" },
  'hold-lift': { noun: 'la levée du gel', from: 'de la levée du gel' },
  action: { noun: "l'action", from: "de l'action" },
  erasure: { noun: "l'effacement", from: "de l'effacement" },
  answer: { noun: 'la réponse à la demande', from: 'de la réponse à la demande' },
  withdrawal: { noun: 'le désabonnement ou l’opposition', from: 'du désabonnement ou de l’opposition' },
};

const staff = {
  support: 'équipe support',
  moderator: 'modérateurs',
  dpo: 'DPO',
  tech: 'équipe technique (exploitation)',
} as const;

const aws = 'AWS (hébergement)';
const stripe = 'Stripe (paiements)';
const authorities = 'autorités compétentes, sur leur demande (procédures judiciaires)';

interface PurposeDetails {
  readonly role?: string;
  readonly dataSubjects: readonly string[];
  readonly staff: readonly string[];
  readonly processors: readonly string[];
  readonly others?: readonly string[];
  /** Where the data lives besides the tables (logs, Stripe…). */
  readonly alsoStored?: readonly { where: string; what: string }[];
}

const logDays = (days: number) => `${days} jours`;

/**
 * Identity lives in the Cognito user pool, not in the tables (ADR 0008). The accounts context
 * deletes a sign-up never confirmed this many days after it (`UNCONFIRMED_SIGN_UP_DAYS`,
 * removeUnconfirmedSignUps); the retention context may not import it, so a test holds the two
 * together (test/unit/account-suspension.test.ts).
 */
export const UNCONFIRMED_SIGN_UP_DAYS_STATED = 7;
const userPool = 'Amazon Cognito, groupe d’utilisateurs de la plateforme (eu-west-3)';
const identityInPool =
  'Identité du compte : email (identifiant de connexion) et sa vérification, prénom, nom, téléphone (facultatif), ' +
  'empreinte du mot de passe (jamais le mot de passe en clair), facteur MFA TOTP s’il est activé, version des CGU acceptée et type de compte';

function purposeDetails(catalogue: Record<RetentionPurpose, RetentionRule>): Record<RetentionPurpose, PurposeDetails> {
  const technicalDays = catalogue['technical-operation'].keep?.days ?? 0;
  const connectionDays = Math.min(technicalDays, catalogue['fraud-prevention'].keep?.days ?? technicalDays);
  const deletionKept = periodText(catalogue['account-deletion'].keep, catalogue['account-deletion'].clockStart);
  return {
    account: {
      dataSubjects: [
        'utilisateurs (clients) et praticiens titulaires d’un compte',
        'personnes inscrites n’ayant pas encore confirmé leur adresse',
      ],
      staff: [staff.support, staff.moderator, staff.dpo],
      processors: [aws],
      alsoStored: [
        {
          where: userPool,
          what: `${identityInPool} ; l’utilisateur est désactivé pendant une suspension par le personnel, et supprimé avec l’élément du compte (purge, TTL ou effacement). Une inscription jamais confirmée n’ouvre aucun compte : son utilisateur Cognito est supprimé ${UNCONFIRMED_SIGN_UP_DAYS_STATED} jours après l’inscription (le code de confirmation vaut 24 heures).`,
        },
      ],
    },
    'account-deletion': {
      dataSubjects: ['utilisateurs et praticiens ayant demandé la suppression de leur compte'],
      staff: [staff.support, staff.dpo],
      processors: [aws],
      alsoStored: [
        {
          where: userPool,
          what: `${identityInPool} ; l’utilisateur est désactivé dès la demande (plus de connexion) et supprimé avec l’élément du compte, ${deletionKept} après la demande.`,
        },
      ],
    },
    'practitioner-profile': {
      dataSubjects: ['praticiens référencés'],
      staff: [staff.moderator, staff.support],
      processors: [aws],
      others: ['public (le profil publié est visible de tous)'],
    },
    appointment: {
      role: 'Sous-traitant (art. 28) pour le compte de chaque praticien, responsable de traitement de ses rendez-vous',
      dataSubjects: ['utilisateurs (clients)', 'praticiens'],
      staff: [staff.support],
      processors: [aws, stripe],
      others: ['le praticien concerné (responsable de traitement)'],
    },
    payment: {
      dataSubjects: ['utilisateurs (clients) payant un rendez-vous'],
      staff: [staff.support],
      processors: [stripe],
      alsoStored: [
        {
          where: 'Stripe',
          what: 'Données de carte saisies chez Stripe : jamais reçues, stockées ni journalisées par la plateforme.',
        },
      ],
    },
    exchange: {
      dataSubjects: ['utilisateurs (clients)', 'praticiens'],
      staff: [staff.support],
      processors: [aws],
      others: ['les participants à l’échange (l’utilisateur et le praticien)'],
    },
    newsletter: {
      dataSubjects: ['abonnés à la newsletter'],
      staff: [staff.support],
      processors: [aws],
    },
    'newsletter-confirmation': {
      dataSubjects: ['internautes ayant demandé à recevoir la newsletter, avant leur confirmation'],
      staff: [staff.support],
      processors: [aws],
    },
    'newsletter-suppression': {
      dataSubjects: ['anciens abonnés à la newsletter (désabonnés, adresses invalides ou plaintes)'],
      staff: [staff.support, staff.dpo],
      processors: [aws],
    },
    'contact-request': {
      dataSubjects: ['internautes utilisant le formulaire de contact'],
      staff: [staff.support],
      processors: [aws],
    },
    'review-report': {
      dataSubjects: ['utilisateurs auteurs d’un avis ou d’un signalement', 'praticiens concernés par l’avis'],
      staff: [staff.moderator],
      processors: [aws],
    },
    review: {
      dataSubjects: ['utilisateurs (clients) auteurs d’un avis', 'praticiens évalués (et leur réponse)'],
      staff: [staff.moderator],
      processors: [aws],
      others: [
        'public (un avis accepté est visible de tous, son auteur affiché par son prénom et l’initiale de son nom)',
      ],
      alsoStored: [
        {
          where: userPool,
          what: 'Prénom et nom de l’auteur, lus à la soumission pour l’affichage « Prénom I. » ; adresse email lue pour l’informer de la décision de modération.',
        },
      ],
    },
    'review-invitation': {
      dataSubjects: ['utilisateurs (clients) dont le rendez-vous a été honoré'],
      // Support answers a client who asks why they cannot review an appointment.
      staff: [staff.support],
      processors: [aws],
    },
    'fraud-prevention': {
      dataSubjects: ['internautes et utilisateurs de la plateforme'],
      staff: [staff.tech],
      processors: [aws],
      alsoStored: [
        {
          where: 'AWS CloudWatch Logs (eu-west-3)',
          what: `Journaux d'accès de l'API et journaux du pare-feu (adresse IP, identifiant Cognito), ${logDays(connectionDays)}.`,
        },
      ],
    },
    support: {
      dataSubjects: ['utilisateurs et praticiens ayant ouvert un ticket ou une réclamation'],
      staff: [staff.support],
      processors: [aws],
      alsoStored: [
        {
          where: userPool,
          what: 'Adresse email et prénom de la personne, lus à chaque courriel sur son ticket (accusé de réception, réponse, fermeture, relance) ; ces courriels ne reprennent jamais l’objet ni les messages du ticket.',
        },
      ],
    },
    'support-audit': {
      dataSubjects: [
        'utilisateurs et praticiens dont un ticket ou une réclamation a été fermé (identifiant du compte)',
        'membres du support qui l’ont pris en charge ou fermé (identifiant)',
      ],
      staff: [staff.support, staff.dpo],
      processors: [aws],
    },
    'technical-operation': {
      dataSubjects: ['internautes et utilisateurs (données techniques)'],
      staff: [staff.tech],
      processors: [aws],
      alsoStored: [
        {
          where: 'AWS CloudWatch Logs (eu-west-3)',
          what: `Journaux des fonctions, sans donnée personnelle en clair (identifiants seulement), ${logDays(technicalDays)}.`,
        },
        {
          where: 'Archive du bus d’événements EventBridge (eu-west-3)',
          what: `Événements entre services, identifiants seulement, ${logDays(technicalDays)}.`,
        },
      ],
    },
    'rights-request': {
      dataSubjects: ['personnes ayant exercé leurs droits par courrier ou par courriel'],
      staff: [staff.dpo],
      processors: [aws],
    },
    'data-export': {
      dataSubjects: [
        'utilisateurs et praticiens ayant demandé l’export de leurs données',
        'personnes ayant exercé leur droit d’accès ou à la portabilité par courrier ou par courriel',
      ],
      staff: [staff.dpo],
      processors: [aws],
    },
    'consent-proof': {
      dataSubjects: ['utilisateurs et praticiens ayant fait un choix de consentement ou d’opposition'],
      staff: [staff.dpo],
      processors: [aws],
    },
    'post-mortem': {
      dataSubjects: [
        'personnes décédées titulaires d’un compte',
        'héritiers et personnes désignées (qualité seulement)',
      ],
      staff: [staff.dpo],
      processors: [aws],
    },
    'legal-hold': {
      dataSubjects: ['personnes dont les données font l’objet d’une demande d’une autorité ou d’un litige'],
      staff: [staff.dpo],
      processors: [aws],
    },
    'retention-audit': {
      dataSubjects: [
        'personnes concernées par un gel, un effacement ou une purge (identifiants pseudonymes)',
        'titulaires d’un compte suspendu ou rétabli par le personnel (identifiant du compte, motif)',
        'membres du personnel auteurs des actions (identifiant)',
      ],
      staff: [staff.dpo],
      processors: [aws],
    },
    'erasure-log': {
      dataSubjects: ['personnes ayant obtenu l’effacement de leurs données (identifiants techniques)'],
      staff: [staff.dpo, staff.tech],
      processors: [aws],
    },
  };
}

function periodText(keep: Period | null, clock: ClockStart): string {
  if (!keep) return `aucune conservation au-delà ${clockText[clock].from}`;
  const parts = [
    keep.years ? `${keep.years} an${keep.years > 1 ? 's' : ''}` : '',
    keep.months ? `${keep.months} mois` : '',
    keep.days ? `${keep.days} jour${keep.days > 1 ? 's' : ''}` : '',
  ].filter(Boolean);
  return parts.join(' et ');
}

/** The purpose an entity's personal data is kept for: its own, or its root's. */
function purposeOfEntity(entity: EntityDefinition, all: readonly EntityDefinition[]): string | undefined {
  if ('retention' in entity && entity.retention) return entity.retention.purpose;
  if ('ownedBy' in entity) {
    const root = all.find((e) => e.name === entity.ownedBy);
    return root ? purposeOfEntity(root, all) : undefined;
  }
  return undefined;
}

const processors: Register['processors'] = [
  {
    name: 'Amazon Web Services EMEA SARL (AWS)',
    service:
      'Hébergement et exploitation : fonctions Lambda, API Gateway, DynamoDB, Cognito, SES, EventBridge, CloudWatch.',
    location: 'Région eu-west-3 (Paris, France) uniquement',
    guarantees:
      'Hébergeur certifié HDS ; accord de traitement des données (DPA) AWS ; clés de chiffrement gérées par nous.',
  },
  {
    name: 'Stripe Payments Europe, Limited',
    service: 'Paiement en ligne des rendez-vous : saisie et traitement des données de carte bancaire.',
    location: 'Irlande (Union européenne)',
    guarantees:
      'Certifié PCI DSS ; accord de traitement des données de Stripe. La plateforme ne reçoit jamais les données de carte.',
  },
];

export interface RegisterSources {
  readonly catalogue: Record<RetentionPurpose, RetentionRule>;
  readonly entities: readonly EntityDefinition[];
  readonly backupRecoveryDays: number;
}

export function buildRegister({ catalogue, entities, backupRecoveryDays }: RegisterSources): Register {
  const details = purposeDetails(catalogue);
  const erasureLogDays = catalogue['erasure-log'].keep?.days;
  const purposes = (Object.keys(catalogue) as RetentionPurpose[]).map((id): RegisterPurpose => {
    const rule = catalogue[id];
    const more = details[id];
    const stored = entities
      .filter((entity) => entity.personalData && purposeOfEntity(entity, entities) === id)
      .map((entity) => ({
        where: `DynamoDB, table « ${entity.table} » (eu-west-3)`,
        what: entity.description,
        entity: entity.name,
      }));
    const storage = [...stored, ...(more.alsoStored ?? []).map((s) => ({ ...s, entity: null }))];
    return {
      id,
      name: rule.purpose,
      role: more.role ?? 'Responsable de traitement',
      legalBases: rule.legalBases.map((basis) => legalBasisText[basis]),
      dataCategories: [...rule.dataCategories],
      dataSubjects: [...more.dataSubjects],
      recipients: {
        staff: [...more.staff],
        processors: [...more.processors],
        others: [...(more.others ?? []), authorities],
      },
      retention: {
        statement: rule.keep
          ? `${periodText(rule.keep, rule.clockStart)} à compter ${clockText[rule.clockStart].from}`
          : periodText(rule.keep, rule.clockStart),
        period: periodText(rule.keep, rule.clockStart),
        clockStartsAt: clockText[rule.clockStart].noun,
        policyText: rule.policyText,
        rationale: rule.rationale ?? null,
      },
      storage:
        storage.length > 0
          ? storage
          : [{ where: 'Nulle part à ce jour', what: 'la fonctionnalité n’est pas encore en service.', entity: null }],
      transfersOutsideEu: more.processors.includes(stripe)
        ? 'Aucun par la plateforme ; pour Stripe, voir les points à vérifier'
        : 'Aucun',
    };
  });

  return {
    title: 'Registre des activités de traitement (RGPD, art. 30)',
    generatedFrom: [
      'shared/retention/catalogue.ts : finalités, bases légales, catégories de données, durées de conservation',
      'functions/entities.ts : tables et types d’éléments où chaque finalité est stockée',
      'shared/retention/backups.ts : fenêtre de restauration des sauvegardes',
      'functions/retention/domain/register.ts : personnes concernées, destinataires, mesures de sécurité',
    ],
    policyVersion,
    controller,
    purposes,
    processors,
    securityMeasures: [
      'Chiffrement au repos : tables DynamoDB chiffrées par une clé KMS gérée par le responsable (rotation annuelle) ; journaux chiffrés par une seconde clé KMS dédiée.',
      'Chiffrement en transit : HTTPS uniquement (TLS 1.3 et 1.2 avec confidentialité persistante) ; l’API ne répond jamais en HTTP clair.',
      'Hébergement de données de santé (HDS) : AWS, région eu-west-3 (Paris) ; la synthèse de l’infrastructure échoue pour toute région hors de l’Union européenne.',
      'Moindre privilège : un rôle IAM par fonction, limité aux tables et actions dont elle a besoin ; contrôles cdk-nag (AwsSolutions, HIPAA, Serverless) sans constat ouvert.',
      'Authentification Cognito : mot de passe d’au moins 12 caractères, MFA TOTP disponible, protection contre les menaces (identifiants compromis bloqués) ; rôles par groupe (client, praticien, modérateur, support, DPO) vérifiés à chaque appel.',
      'Pare-feu applicatif (AWS WAF) : limitation de débit par adresse IP et règles gérées AWS (réputation IP, attaques courantes).',
      'Pseudonymisation : événements, archives et journaux ne portent que des identifiants ; l’index par personne utilise une empreinte SHA-256 de l’email.',
      'Données de carte bancaire : jamais reçues ni stockées ni journalisées (Stripe les détient).',
      'Durées de conservation appliquées par le code : attribut TTL calculé depuis le catalogue, purge quotidienne, lectures qui excluent toute donnée échue.',
      'Traçabilité : chaque gel, levée, effacement et purge, et chaque suspension ou rétablissement d’un compte par le personnel (support, modérateurs), est journalisé par identifiants (5 ans) ; aucune décision automatisée au-delà de la limitation de débit temporaire.',
    ],
    transfersOutsideEu:
      "Aucun transfert de données personnelles hors de l'Union européenne par le responsable de traitement : tout est hébergé par AWS dans la région eu-west-3 (Paris).",
    backups: {
      pointInTimeRecoveryDays: backupRecoveryDays,
      statement:
        `Les tables DynamoDB ont la restauration à un instant donné (PITR) sur ${backupRecoveryDays} jours : une donnée supprimée (purge, TTL ou effacement) ` +
        `reste restaurable ${backupRecoveryDays} jours au plus, puis disparaît des sauvegardes. Aucune autre sauvegarde n’est faite. ` +
        'Une restauration crée de nouvelles tables ; les effacements journalisés sont alors rejoués sur ces tables avant leur mise en service ' +
        `(docs/runbooks/restore-and-replay-erasures.md), si bien qu’une donnée effacée ne revient pas. Le journal des effacements est gardé ${erasureLogDays} jours, ` +
        'plus longtemps que la fenêtre de restauration, et sa table n’est jamais restaurée.',
    },
    legalHoldsAndErasure: [
      'Gel (legal hold) : à la demande d’une autorité ou pour un litige, le DPO gèle les données d’une personne ; elles échappent au TTL et aux purges ' +
        'jusqu’à la levée, puis reprennent leur échéance d’origine (immédiate si elle est passée pendant le gel). Pendant le gel, les lectures ' +
        'ordinaires ne montrent plus ce qui est échu : les données sont conservées pour l’autorité, non utilisées.',
      'Effacement (art. 17) : sur demande vérifiée, le DPO efface toutes les données de la personne, sauf celles sous un gel actif, qui prévaut ' +
        '(art. 17(3)(b) et (e)) ; chaque clé effacée est journalisée par identifiant seulement, pour être rejouée après une restauration.',
      'Chaque gel, levée et effacement est inscrit au journal d’audit (identifiants seulement) et annoncé par un événement sans donnée personnelle.',
    ],
    pointsToVerify: [
      'Les adresses électroniques de contact et du DPO sont masquées dans la copie de référence de la politique (« [email protected] ») : les reporter ici.',
      'Stripe : son avenant sur les transferts (Data Transfers Addendum) prévoit des transferts vers Stripe, Inc. (États-Unis) sous le Data Privacy Framework ' +
        'ou des clauses contractuelles types, alors que la politique affirme l’absence de transfert hors UE : à vérifier avec le contrat Stripe et, le cas échéant, à mentionner dans la politique.',
      'Rendez-vous : Jupi’Terre agit en sous-traitant des praticiens ; son registre de sous-traitant (art. 30.2) doit nommer chaque praticien responsable de traitement.',
      'Réclamations : le médiateur de la consommation nommé dans le courriel de fermeture d’une réclamation non résolue (contexte CDK mediatorName et mediatorAddress, Code de la consommation L612-1) doit être celui auquel la plateforme adhère.',
    ],
  };
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
const list = (items: readonly string[]) => items.join(' ; ');

/** A Markdown table with its columns padded, as the formatter (Biome) writes it, so the file stays lint-clean. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const all = [header, ...rows].map((row) => row.map(cell));
  const width = header.map((_, i) => Math.max(3, ...all.map((row) => [...row[i]!].length)));
  const line = (row: readonly string[]) =>
    `| ${row.map((text, i) => text + ' '.repeat(width[i]! - [...text].length)).join(' | ')} |`;
  return [line(all[0]!), `| ${width.map((w) => '-'.repeat(w)).join(' | ')} |`, ...all.slice(1).map(line)];
}

/** The register as Markdown (docs/register-of-processing.md): deterministic, so a test can hold the file to it. */
export function registerMarkdown(register: Register): string {
  const lines: string[] = [
    `# ${register.title}`,
    '',
    '> Généré par `npm run register` à partir du code ; ne pas modifier à la main (un test vérifie que ce fichier',
    '> est à jour). Servi au DPO en JSON par `GET /privacy/register`.',
    '',
    'Sources :',
    '',
    ...register.generatedFrom.map((source) => `- ${source}`),
    `- ${register.policyVersion}`,
    '',
    '## Responsable de traitement',
    '',
    `- **Responsable** : ${register.controller.name}, représentée par ${register.controller.representative}`,
    `- **Adresse** : ${register.controller.address}`,
    `- **Contact** : ${register.controller.contact}`,
    `- **DPO** : ${register.controller.dataProtectionOfficer}`,
    `- **Exercice des droits** : ${register.controller.rightsRequests}`,
    '',
    '## Synthèse',
    '',
    ...table(
      ['Finalité', 'Bases légales', 'Conservation', 'Stockage'],
      register.purposes.map((p) => [
        p.name,
        list(p.legalBases),
        p.retention.statement,
        list([...new Set(p.storage.map((s) => s.where))]),
      ]),
    ),
    '',
    '## Activités de traitement',
    '',
  ];
  register.purposes.forEach((p, index) => {
    lines.push(
      `### ${index + 1}. ${p.name}`,
      '',
      `- **Identifiant** : \`${p.id}\``,
      `- **Rôle de Jupi'Terre** : ${p.role}`,
      `- **Bases légales** : ${list(p.legalBases)}`,
      `- **Catégories de données** : ${list(p.dataCategories)}`,
      `- **Personnes concernées** : ${list(p.dataSubjects)}`,
      '- **Destinataires** :',
      `  - personnel : ${list(p.recipients.staff)}`,
      `  - sous-traitants : ${list(p.recipients.processors)}`,
      `  - autres : ${list(p.recipients.others)}`,
      `- **Durée de conservation** : ${p.retention.statement}`,
      ...(p.retention.policyText ? [`- **Politique de confidentialité** : « ${p.retention.policyText} »`] : []),
      ...(p.retention.rationale
        ? [
            `- **${p.retention.policyText ? 'Mise en œuvre' : 'Durée choisie (la politique est muette)'}** : ${p.retention.rationale}`,
          ]
        : []),
      '- **Lieu de stockage** :',
      ...p.storage.map((s) => `  - ${s.where}${s.entity ? ` — type \`${s.entity}\`` : ''} : ${s.what}`),
      `- **Transferts hors UE** : ${p.transfersOutsideEu}`,
      '',
    );
  });
  lines.push(
    '## Sous-traitants',
    '',
    ...table(
      ['Sous-traitant', 'Service', 'Localisation', 'Garanties'],
      register.processors.map((p) => [p.name, p.service, p.location, p.guarantees]),
    ),
    '',
    '## Transferts hors de l’Union européenne',
    '',
    register.transfersOutsideEu,
    '',
    '## Mesures de sécurité',
    '',
    ...register.securityMeasures.map((m) => `- ${m}`),
    '',
    '## Sauvegardes',
    '',
    register.backups.statement,
    '',
    '## Gels et effacements',
    '',
    ...register.legalHoldsAndErasure.map((m) => `- ${m}`),
    '',
    '## Points à vérifier par le DPO',
    '',
    ...register.pointsToVerify.map((m) => `- ${m}`),
    '',
  );
  return lines.join('\n');
}

/**
 * The mails of the rights-request register (French), pure: the subject's notice of an extension
 * with its reason (GDPR art. 12(3)), and the DPO's warnings of a near or passed deadline (the
 * request's id, type and dates: never the subject's address).
 */
import type { Mail } from '#shared/mail/mail.ts';
import { deadlineOf, type RightsRequest, type RightsRequestType, type Warning } from './rights-request.ts';

const longDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'UTC' });
const frenchDay = (day: string) => longDate.format(new Date(`${day}T00:00:00Z`));

const typeLabels: Record<RightsRequestType, string> = {
  access: "droit d'accès",
  rectification: 'droit de rectification',
  erasure: "droit à l'effacement",
  restriction: 'droit à la limitation du traitement',
  portability: 'droit à la portabilité',
  objection: "droit d'opposition",
  'consent-withdrawal': 'retrait du consentement',
};

const signature = [
  '',
  '—',
  'Le délégué à la protection des données',
  'Mon Pro du Bien-Être',
  'https://www.monprodubienetre.fr/',
];

export function extensionMail(request: RightsRequest, to: string): Mail {
  return {
    to: [to],
    subject: 'Votre demande relative à vos données personnelles : délai de réponse prolongé',
    text: [
      'Bonjour,',
      '',
      `Nous avons bien reçu le ${frenchDay(request.receivedOn)} votre demande (${typeLabels[request.type]}).`,
      `Conformément à l'article 12, paragraphe 3, du RGPD, le délai de réponse est prolongé de ${request.extension?.months} mois : nous vous répondrons au plus tard le ${frenchDay(deadlineOf(request))}.`,
      '',
      `Motif : ${request.extension?.reason ?? ''}`,
      '',
      'Vous pouvez introduire une réclamation auprès de la CNIL (www.cnil.fr).',
      ...signature,
    ].join('\n'),
  };
}

export function deadlineMail(request: RightsRequest, deadline: string, warning: Warning, to: string): Mail {
  const overdue = warning === 'overdue';
  return {
    to: [to],
    subject: overdue
      ? `Demande d'exercice de droits en retard : échéance du ${frenchDay(deadline)} dépassée`
      : `Demande d'exercice de droits : échéance le ${frenchDay(deadline)}`,
    text: [
      'Bonjour,',
      '',
      `La demande ${request.id} (${typeLabels[request.type]}, reçue le ${frenchDay(request.receivedOn)} par ${request.channel === 'post' ? 'courrier' : 'courriel'}) ${
        overdue
          ? `devait recevoir une réponse au plus tard le ${frenchDay(deadline)}.`
          : `doit recevoir une réponse au plus tard le ${frenchDay(deadline)}.`
      }`,
      request.identity?.verified
        ? "L'identité de la personne est vérifiée."
        : "L'identité de la personne n'est pas encore vérifiée.",
      '',
      'Registre : GET /privacy/rights-requests',
    ].join('\n'),
  };
}

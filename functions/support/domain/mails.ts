/**
 * The mails of a support ticket to its opener (French), pure: the acknowledgement, the notice of
 * an answer, the day-23 notice and the closure. None carries the ticket's subject or a message (a
 * mailbox may be read by others; the thread is on the platform), only its category, its reference
 * and what happens next. A complaint support could not resolve names the consumer mediator the
 * platform adheres to (Code de la consommation L612-1 and L616-1).
 */
import type { Mail } from '#shared/mail/mail.ts';
import {
  CLOSE_AFTER_DAYS,
  NOTICE_AFTER_DAYS,
  namesMediator,
  type SupportCategory,
  type TicketOutcome,
} from './ticket.ts';

/** The consumer mediator, from configuration (MEDIATOR_NAME, MEDIATOR_ADDRESS). */
export interface Mediator {
  readonly name: string;
  readonly address: string;
}

export const categoryLabels: Record<SupportCategory, string> = {
  question: 'Question',
  booking: 'Rendez-vous',
  payment: 'Paiement',
  account: 'Compte',
  privacy: 'Données personnelles',
  complaint: 'Réclamation concernant un praticien',
  'message-report': 'Signalement d’un message',
};

const SUPPORT_URL = 'https://www.monprodubienetre.fr/support';
const signature = ['', '—', 'Le support de Mon Pro du Bien-Être', 'https://www.monprodubienetre.fr/'];
const hello = (firstName: string | undefined) => `Bonjour${firstName ? ` ${firstName}` : ''},`;
const what = (category: SupportCategory) => (category === 'complaint' ? 'votre réclamation' : 'votre demande');

/** A date as the mails write it: "12 mars 2027", Europe/Paris. */
export function frenchDate(at: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'Europe/Paris' })
    .format(at)
    .replace(/^1 /, '1er ');
}

export function openedMail(
  to: string,
  firstName: string | undefined,
  ticket: { id: string; category: SupportCategory },
): Mail {
  return {
    to: [to],
    subject: 'Votre demande au support a bien été reçue',
    text: [
      hello(firstName),
      '',
      `Nous avons bien reçu ${what(ticket.category)} (catégorie : ${categoryLabels[ticket.category]}).`,
      `Sa référence : ${ticket.id}.`,
      '',
      'Nous vous répondrons dans votre espace, où vous pouvez suivre et compléter votre demande :',
      SUPPORT_URL,
      '',
      'Une demande est supprimée, avec tous ses messages, dès sa fermeture.',
      ...signature,
    ].join('\n'),
  };
}

export function answeredMail(
  to: string,
  firstName: string | undefined,
  ticket: { id: string; autoCloseAt: Date },
): Mail {
  return {
    to: [to],
    subject: 'Le support vous a répondu',
    text: [
      hello(firstName),
      '',
      `Le support a répondu à votre demande ${ticket.id}. Pour lire sa réponse et y répondre, connectez-vous à votre espace :`,
      SUPPORT_URL,
      '',
      `Sans réponse de votre part d’ici le ${frenchDate(ticket.autoCloseAt)} (${CLOSE_AFTER_DAYS} jours), la demande sera close et supprimée.`,
      ...signature,
    ].join('\n'),
  };
}

export function closingSoonMail(
  to: string,
  firstName: string | undefined,
  ticket: { id: string; autoCloseAt: Date },
): Mail {
  return {
    to: [to],
    subject: 'Votre demande au support sera bientôt close',
    text: [
      hello(firstName),
      '',
      `Le support attend votre réponse à la demande ${ticket.id} depuis ${NOTICE_AFTER_DAYS} jours.`,
      `Sans réponse de votre part d’ici le ${frenchDate(ticket.autoCloseAt)}, elle sera close et supprimée avec tous ses messages.`,
      '',
      'Pour y répondre, connectez-vous à votre espace :',
      SUPPORT_URL,
      ...signature,
    ].join('\n'),
  };
}

const outcomeLines: Record<TicketOutcome, (category: SupportCategory) => string> = {
  resolved: (category) => `Le support a clos ${what(category)}, qu’il considère comme résolue.`,
  unresolved: (category) => `Le support a clos ${what(category)} sans avoir pu la résoudre.`,
  'no-reply': (category) =>
    `${what(category).replace(/^v/, 'V')} a été close : le support attendait votre réponse depuis ${CLOSE_AFTER_DAYS} jours.`,
};

export function closedMail(
  to: string,
  firstName: string | undefined,
  ticket: { id: string; category: SupportCategory; outcome: TicketOutcome },
  mediator: Mediator,
): Mail {
  const mediation = namesMediator(ticket.category, ticket.outcome)
    ? [
        '',
        'Si vous êtes un consommateur, vous pouvez recourir gratuitement au médiateur de la consommation auquel la plateforme adhère (Code de la consommation, articles L612-1 et suivants), dans un délai d’un an à compter de votre réclamation écrite :',
        mediator.name,
        mediator.address,
      ]
    : [];
  return {
    to: [to],
    subject: 'Votre demande au support est close',
    text: [
      hello(firstName),
      '',
      `${outcomeLines[ticket.outcome](ticket.category)} Référence : ${ticket.id}.`,
      'Comme le prévoit notre politique de confidentialité, son objet et ses messages ont été supprimés.',
      ...mediation,
      '',
      'Vous pouvez ouvrir une nouvelle demande à tout moment depuis votre espace :',
      SUPPORT_URL,
      ...signature,
    ].join('\n'),
  };
}

/**
 * The notice an inactive person gets before their account expires (5 years after the last
 * activity). 30 days ahead: enough to read it and sign in once, short enough to be remembered;
 * the CNIL recommends informing people before deleting an inactive account, so that they can
 * keep it. One notice per expiry: signing in moves the expiry, and a new notice may come 5 years
 * later.
 */
import type { Mail } from '#shared/mail/mail.ts';

export const NOTICE_DAYS_BEFORE_EXPIRY = 30;

const DAY_MS = 24 * 3600 * 1000;

/** The expiry days (UTC, YYYY-MM-DD) a run on `now` looks at: tomorrow to 30 days ahead. */
export function noticeDays(now: Date): string[] {
  const days: string[] = [];
  for (let offset = 1; offset <= NOTICE_DAYS_BEFORE_EXPIRY; offset++) {
    days.push(new Date(now.getTime() + offset * DAY_MS).toISOString().slice(0, 10));
  }
  return days;
}

/** "12 mars 2031", in Paris. */
export function frenchDate(at: Date): string {
  return new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' }).format(at);
}

export function inactivityNotice(input: { to: string; firstName?: string; deletionAt: Date; signInUrl: string }): Mail {
  const date = frenchDate(input.deletionAt);
  const greeting = input.firstName ? `Bonjour ${input.firstName},` : 'Bonjour,';
  return {
    to: [input.to],
    subject: `Votre compte Mon Pro du Bien-Être sera supprimé le ${date}`,
    text: [
      greeting,
      '',
      'Vous ne vous êtes pas connecté(e) à votre compte Mon Pro du Bien-Être depuis près de 5 ans.',
      `Conformément à notre politique de confidentialité, votre compte et les données qui y sont associées seront supprimés le ${date}.`,
      '',
      `Pour conserver votre compte, il vous suffit de vous connecter avant cette date : ${input.signInUrl}`,
      'Si vous ne souhaitez plus l’utiliser, vous n’avez rien à faire : il sera supprimé automatiquement.',
      '',
      'L’équipe Mon Pro du Bien-Être',
    ].join('\n'),
  };
}

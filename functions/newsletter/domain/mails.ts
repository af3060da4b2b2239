/**
 * The newsletter's mails, in French, pure. Every newsletter mail (a campaign, the renewal ask)
 * carries the one-click unsubscribe of RFC 8058 (`List-Unsubscribe` with an https URL and
 * `List-Unsubscribe-Post: List-Unsubscribe=One-Click`) and the same link in its footer; the
 * confirmation mail is no newsletter (nobody is subscribed yet) and has none.
 */
import type { Mail, MailHeader } from '#shared/mail/mail.ts';
import { CONFIRMATION_DAYS } from './subscription.ts';

const parisDate = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
const parisDateTime = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});

export const LIST_ID = 'Newsletter Mon Pro du Bien-Être <newsletter.monprodubienetre.fr>';

/** The links of a newsletter mail (absolute URLs of the API). */
export interface NewsletterLinks {
  readonly unsubscribe: string;
}

/** RFC 2369 and 8058: the one-click unsubscribe headers of every newsletter mail. */
export function listHeaders(links: NewsletterLinks): MailHeader[] {
  return [
    { name: 'List-Unsubscribe', value: `<${links.unsubscribe}>` },
    { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
    { name: 'List-Id', value: '<newsletter.monprodubienetre.fr>' },
  ];
}

export const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/** The footer of every newsletter mail, text and HTML. */
export function footer(links: NewsletterLinks): { text: string; html: string } {
  const why =
    'Vous recevez cet email parce que vous vous êtes abonné(e) à la newsletter de Mon Pro du Bien-Être. ' +
    'Votre adresse est conservée 3 ans à compter de votre dernier clic dans une newsletter.';
  return {
    text: ['', '—', why, `Se désabonner en un clic : ${links.unsubscribe}`].join('\n'),
    html:
      `<hr><p style="font-size:12px;color:#555">${escapeHtml(why)}<br>` +
      `<a href="${escapeHtml(links.unsubscribe)}">Se désabonner en un clic</a></p>`,
  };
}

/** The double opt-in: a link valid 7 days; nothing happens without it. */
export function confirmationMail(to: string, confirmUrl: string, expiresAt: Date): Mail {
  const text = [
    'Bonjour,',
    '',
    'Vous avez demandé à recevoir la newsletter de Mon Pro du Bien-Être. Pour confirmer votre inscription, ouvrez ce lien :',
    '',
    confirmUrl,
    '',
    `Ce lien est valable jusqu’au ${parisDateTime.format(expiresAt)} (${CONFIRMATION_DAYS} jours). Sans confirmation, ` +
      'vous ne recevrez rien et votre demande sera effacée à cette date.',
    '',
    'Si vous n’êtes pas à l’origine de cette demande, ignorez simplement cet email.',
    '',
    'L’équipe Mon Pro du Bien-Être',
  ].join('\n');
  return { to: [to], subject: 'Confirmez votre inscription à la newsletter de Mon Pro du Bien-Être', text };
}

/** 30 days before the end: go on (a yes renews 3 years) or stop; no answer ends it. */
export function renewalMail(to: string, links: NewsletterLinks & { readonly renewal: string }, endsAt: Date): Mail {
  const end = parisDate.format(endsAt);
  const foot = footer(links);
  const text = [
    'Bonjour,',
    '',
    `Votre abonnement à la newsletter de Mon Pro du Bien-Être prend fin le ${end} : vous n’avez ouvert aucun lien ` +
      'de nos newsletters depuis bientôt 3 ans.',
    '',
    'Souhaitez-vous continuer à la recevoir ? Répondez ici (oui : 3 ans de plus ; non : votre abonnement est supprimé) :',
    '',
    links.renewal,
    '',
    `Sans réponse de votre part, votre abonnement et votre adresse seront supprimés le ${end}.`,
    '',
    'L’équipe Mon Pro du Bien-Être',
    foot.text,
  ].join('\n');
  const html =
    `<p>Bonjour,</p><p>Votre abonnement à la newsletter de Mon Pro du Bien-Être prend fin le ${escapeHtml(end)} : ` +
    'vous n’avez ouvert aucun lien de nos newsletters depuis bientôt 3 ans.</p>' +
    `<p><a href="${escapeHtml(links.renewal)}">Je souhaite continuer à recevoir la newsletter</a></p>` +
    `<p>Sans réponse de votre part, votre abonnement et votre adresse seront supprimés le ${escapeHtml(end)}.</p>` +
    `<p>L’équipe Mon Pro du Bien-Être</p>${foot.html}`;
  return {
    to: [to],
    subject: 'Souhaitez-vous continuer à recevoir la newsletter de Mon Pro du Bien-Être ?',
    text,
    html,
    headers: listHeaders(links),
  };
}

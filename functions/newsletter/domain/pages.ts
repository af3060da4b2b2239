/**
 * The pages the newsletter's links open, in French, pure. A link never acts on GET (mail
 * scanners and previews open links): its page shows a button that POSTs to the same URL, which
 * acts and answers a page too. The pages hold no script and load nothing (their
 * Content-Security-Policy says so).
 */
import { escapeHtml } from './mails.ts';

/** The policy of every page: nothing loaded, inline styles, forms to the API itself, no framing. */
export const PAGE_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export interface PageForm {
  /** The query string the form posts to (the same path): `?token=…`. */
  readonly action: string;
  readonly label: string;
  /** Hidden fields of the form (the one-click body of RFC 8058). */
  readonly fields?: Readonly<Record<string, string>>;
}

export function page(title: string, paragraphs: readonly string[], forms: readonly PageForm[] = []): string {
  const formHtml = forms
    .map(
      (form) =>
        `<form method="post" action="${escapeHtml(form.action)}">` +
        Object.entries(form.fields ?? {})
          .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
          .join('') +
        `<button type="submit">${escapeHtml(form.label)}</button></form>`,
    )
    .join('');
  return (
    '<!doctype html><html lang="fr"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)} · Mon Pro du Bien-Être</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5}' +
    'button{font-size:1rem;padding:.6rem 1.2rem;margin:.3rem 0;cursor:pointer}</style></head><body>' +
    `<h1>${escapeHtml(title)}</h1>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${formHtml}` +
    '</body></html>'
  );
}

const query = (token: string, extra: Record<string, string> = {}) =>
  `?${new URLSearchParams({ token, ...extra }).toString()}`;

export const pages = {
  confirmAsk: (token: string) =>
    page(
      'Confirmer votre inscription',
      ['Confirmez-vous vouloir recevoir la newsletter de Mon Pro du Bien-Être à cette adresse ?'],
      [{ action: query(token), label: 'Je confirme mon inscription' }],
    ),
  confirmed: () =>
    page('Inscription confirmée', [
      'Merci ! Vous recevrez désormais la newsletter de Mon Pro du Bien-Être.',
      'Chaque envoi contient un lien pour vous désabonner en un clic.',
    ]),
  unsubscribeAsk: (token: string) =>
    page(
      'Se désabonner',
      ['Vous ne recevrez plus la newsletter de Mon Pro du Bien-Être, et votre abonnement sera supprimé.'],
      [{ action: query(token), label: 'Me désabonner', fields: { 'List-Unsubscribe': 'One-Click' } }],
    ),
  unsubscribed: () =>
    page('Vous êtes désabonné(e)', [
      'Vous ne recevrez plus la newsletter de Mon Pro du Bien-Être. Votre abonnement est supprimé.',
      'Seule une empreinte de votre adresse est gardée 3 ans, pour ne plus vous écrire sans une nouvelle inscription confirmée.',
    ]),
  renewalAsk: (token: string) =>
    page(
      'Continuer à recevoir la newsletter ?',
      ['Oui : votre abonnement est prolongé de 3 ans. Non : votre abonnement est supprimé dès maintenant.'],
      [
        { action: query(token, { answer: 'yes' }), label: 'Oui, je continue' },
        { action: query(token, { answer: 'no' }), label: 'Non, je me désabonne' },
      ],
    ),
  renewed: () =>
    page('Abonnement prolongé', ['Merci ! Vous continuerez à recevoir la newsletter de Mon Pro du Bien-Être.']),
  expired: () =>
    page('Lien expiré ou invalide', [
      'Ce lien n’est plus valable : la demande a expiré (7 jours pour une confirmation) ou l’abonnement n’existe plus.',
      'Vous pouvez vous inscrire à nouveau depuis le site.',
    ]),
} as const;

/**
 * The mails the author of a review receives (French), pure: its refusal with the reason's label
 * (Code de la consommation D111-19: the author is told why), and its publication.
 */
import type { Mail } from '#shared/mail/mail.ts';
import { REFUSAL_REASONS } from './moderation.ts';
import type { Review } from './review.ts';

const parisDay = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });

const signature = ['', '—', 'Mon Pro du Bien-Être', 'https://www.monprodubienetre.fr/'];

/** The refusal of a review, or of its revision (the published text then stays online). */
export function refusalMail(review: Review, to: string, firstName: string | undefined): Mail | undefined {
  if (!review.refusal) return undefined;
  const revision = review.state === 'published';
  const lines = [
    `Bonjour${firstName ? ` ${firstName}` : ''},`,
    '',
    revision
      ? `La modification de votre avis sur votre rendez-vous du ${parisDay.format(review.experienceAt)} n’a pas été acceptée par notre équipe de modération. Votre avis reste publié dans sa version précédente.`
      : `Votre avis sur votre rendez-vous du ${parisDay.format(review.experienceAt)} n’a pas été publié par notre équipe de modération.`,
    '',
    `Motif : ${REFUSAL_REASONS[review.refusal.reason]}`,
    '',
    'Vous pouvez modifier votre avis depuis votre espace client pour le soumettre à nouveau.',
    'Nos règles de publication des avis : https://www.monprodubienetre.fr/avis/charte',
    ...signature,
  ];
  return {
    to: [to],
    subject: revision ? 'La modification de votre avis n’a pas été acceptée' : 'Votre avis n’a pas été publié',
    text: lines.join('\n'),
  };
}

/** The publication of a review, or of its revision. */
export function publicationMail(review: Review, to: string, firstName: string | undefined): Mail | undefined {
  if (review.state !== 'published' || !review.published) return undefined;
  const revision = review.published.updatedAt !== undefined;
  const lines = [
    `Bonjour${firstName ? ` ${firstName}` : ''},`,
    '',
    revision
      ? `La modification de votre avis sur votre rendez-vous du ${parisDay.format(review.experienceAt)} est publiée.`
      : `Votre avis sur votre rendez-vous du ${parisDay.format(review.experienceAt)} est publié. Merci de l’avoir partagé.`,
    '',
    'Il reste publié 5 ans à compter de la date du rendez-vous ; vous pouvez le modifier ou le retirer à tout moment depuis votre espace client.',
    ...signature,
  ];
  return {
    to: [to],
    subject: revision ? 'La modification de votre avis est publiée' : 'Votre avis est publié',
    text: lines.join('\n'),
  };
}

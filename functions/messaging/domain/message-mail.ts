/**
 * The mail a party receives when a message waits for them (French), pure. It carries no text of
 * the message and no name: a mailbox may be read by others, and the conversation is on the platform.
 */
import type { Mail } from '#shared/mail/mail.ts';
import type { Side } from './conversation.ts';

const signature = ['', '—', 'Mon Pro du Bien-Être', 'https://www.monprodubienetre.fr/'];

export function newMessageMail(to: string, firstName: string | undefined, recipient: Side): Mail {
  const space = recipient === 'client' ? 'votre espace client' : 'votre espace praticien';
  return {
    to: [to],
    subject: 'Nouveau message sur Mon Pro du Bien-Être',
    text: [
      `Bonjour${firstName ? ` ${firstName}` : ''},`,
      '',
      `Vous avez reçu un nouveau message. Pour le lire et y répondre, connectez-vous à ${space} :`,
      'https://www.monprodubienetre.fr/messages',
      '',
      'Vous ne recevrez pas d’autre courriel pour cette conversation tant que ses messages n’auront pas été lus.',
      ...signature,
    ].join('\n'),
  };
}

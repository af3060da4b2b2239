/** A request sent through the public contact form. Pure: no AWS, no I/O. */
import type { Mail } from '#shared/mail/mail.ts';
import type { ContactRequestInput } from '../contract.ts';

export interface ContactRequest {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly phone?: string;
  readonly subject: string;
  readonly message: string;
  readonly receivedAt: Date;
  /** When the platform inbox was emailed; set once. */
  readonly notifiedAt?: Date;
}

export function receiveContactRequest(input: ContactRequestInput, id: string, now: Date): ContactRequest {
  return { id, ...input, receivedAt: now };
}

const parisTime = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/Paris' });

/** The email the platform's inbox receives: the request itself, answerable with "Reply". */
export function platformInboxMail(request: ContactRequest, inbox: string): Mail {
  const lines = [
    'Nouvelle demande reçue par le formulaire de contact.',
    '',
    `Référence : ${request.id}`,
    `Reçue le : ${parisTime.format(request.receivedAt)}`,
    `Nom : ${request.name}`,
    `Email : ${request.email}`,
    ...(request.phone ? [`Téléphone : ${request.phone}`] : []),
    `Objet : ${request.subject}`,
    '',
    request.message,
    '',
    '—',
    'Cette demande est conservée 3 ans à compter de sa réception (politique de confidentialité).',
  ];
  return {
    to: [inbox],
    replyTo: [request.email],
    subject: `[Contact] ${request.subject}`,
    text: lines.join('\n'),
  };
}

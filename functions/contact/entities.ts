/** The contact context's entity types (registered in functions/entities.ts). */
import type { RetainedEntity } from '#shared/retention/entity.ts';

export const contactRequestEntity = {
  name: 'contact-request',
  table: 'contact',
  description: 'A request sent through the public contact form.',
  personalData: true,
  retention: { purpose: 'contact-request', clockStartsAt: 'the reception of the request', sliding: false },
  export: {
    part: 'contact',
    fields: {
      id: 'Identifiant de la demande de contact.',
      name: 'Nom que vous avez indiqué dans le formulaire.',
      email: 'Adresse email que vous avez indiquée dans le formulaire.',
      phone: 'Numéro de téléphone que vous avez indiqué dans le formulaire, le cas échéant.',
      subject: 'Objet de votre demande.',
      message: 'Message de votre demande.',
      receivedAt: 'Date et heure de réception de votre demande (UTC, ISO 8601).',
      notifiedAt: 'Date et heure à laquelle notre équipe a été avertie de votre demande (UTC, ISO 8601).',
    },
  },
} as const satisfies RetainedEntity;

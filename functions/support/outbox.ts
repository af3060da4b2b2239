/**
 * What the support table's stream announces (the outbox, handlers/publish-support-events.ts): the
 * event a new item stands for, from its stream image, identifiers and codes only.
 * - a ticket (a person's or a message report): TicketOpened;
 * - a message by support: TicketAnswered (the opener is the subject of every item of the ticket);
 * - a closure's audit entry: TicketClosed.
 * Anything else (a person's message, a count) announces nothing.
 */
import type { AttributeValue } from 'aws-lambda';
import { TicketAnswered, TicketClosed, TicketOpened } from '#events/catalogue.ts';
import type { EventData } from '#events/envelope.ts';
import type { SupportCategory, TicketOutcome } from './domain/ticket.ts';
import {
  messageReportClosureEntity,
  messageReportTicketEntity,
  supportClosureEntity,
  supportMessageEntity,
  supportTicketEntity,
} from './entities.ts';

type Image = Record<string, AttributeValue> | undefined;

export type OutboxEvent =
  | { readonly contract: typeof TicketOpened; readonly data: EventData<typeof TicketOpened> }
  | { readonly contract: typeof TicketAnswered; readonly data: EventData<typeof TicketAnswered> }
  | { readonly contract: typeof TicketClosed; readonly data: EventData<typeof TicketClosed> };

/** The entity types whose INSERT the outbox reads (the stream consumer's filter, functions/streams.ts). */
export const outboxEntities = [
  supportTicketEntity.name,
  messageReportTicketEntity.name,
  supportMessageEntity.name,
  supportClosureEntity.name,
  messageReportClosureEntity.name,
] as const;

const text = (image: NonNullable<Image>, name: string) => image[name]?.S;
const accountOfSubject = (subjectKey: string | undefined) =>
  subjectKey?.startsWith('account#') ? subjectKey.slice('account#'.length) : undefined;

export function eventOfImage(image: Image): OutboxEvent | undefined {
  if (!image) return undefined;
  const entity = text(image, 'entity');
  const category = text(image, 'category') as SupportCategory;
  switch (entity) {
    case supportTicketEntity.name:
      return {
        contract: TicketOpened,
        data: { ticketId: text(image, 'id') ?? '', category, openerId: text(image, 'openerId') ?? '' },
      };
    case messageReportTicketEntity.name:
      return { contract: TicketOpened, data: { ticketId: text(image, 'id') ?? '', category: 'message-report' } };
    case supportMessageEntity.name: {
      if (text(image, 'from') !== 'support') return undefined;
      return {
        contract: TicketAnswered,
        data: {
          ticketId: text(image, 'ticketId') ?? '',
          messageId: text(image, 'id') ?? '',
          openerId: accountOfSubject(text(image, 'subjectKey')) ?? '',
        },
      };
    }
    case supportClosureEntity.name:
    case messageReportClosureEntity.name: {
      const openerId = text(image, 'openerId');
      return {
        contract: TicketClosed,
        data: {
          ticketId: text(image, 'ticketId') ?? '',
          category,
          outcome: text(image, 'outcome') as TicketOutcome,
          ...(openerId ? { openerId } : {}),
        },
      };
    }
    default:
      return undefined;
  }
}

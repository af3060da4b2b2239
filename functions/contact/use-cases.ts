/** The contact context's use cases: what the handlers run. */
import { ContactRequestReceived } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import type { Mailer } from '#shared/mail/mail.ts';
import type { ContactRequestStore } from './adapters/contact-request-store.ts';
import type { ContactRequestInput } from './contract.ts';
import { platformInboxMail, receiveContactRequest } from './domain/contact-request.ts';

export interface ContactDeps {
  readonly store: ContactRequestStore;
  readonly events: EventPublisher;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly platformInbox: string;
}

/**
 * Stores the request, then announces it. If the announcement fails the caller gets a 503 and may
 * send again: the stored request is kept (nothing lost), at worst it is stored twice.
 */
export async function submitContactRequest(
  deps: Pick<ContactDeps, 'store' | 'events' | 'clock'>,
  input: ContactRequestInput,
  correlationId: string,
) {
  const request = receiveContactRequest(input, newId('contact'), deps.clock.now());
  await deps.store.add(request);
  try {
    await deps.events.publish(ContactRequestReceived, { contactRequestId: request.id }, { correlationId });
  } catch {
    throw new HttpProblem(503, 'Service unavailable', 'Your request could not be forwarded; please try again', {
      headers: { 'Retry-After': '30' },
    });
  }
  return { id: request.id, receivedAt: request.receivedAt.toISOString() };
}

export type NotifyOutcome = 'sent' | 'already-sent' | 'gone';

/**
 * Emails the platform inbox once per request. The event may come more than once (at-least-once
 * delivery): a request already marked as notified is not sent again; one past its retention
 * (or erased) is not sent at all.
 */
export async function notifyPlatformInbox(
  deps: Pick<ContactDeps, 'store' | 'mailer' | 'clock' | 'platformInbox'>,
  contactRequestId: string,
): Promise<NotifyOutcome> {
  const request = await deps.store.get(contactRequestId, deps.clock.now());
  if (!request) return 'gone';
  if (request.notifiedAt) return 'already-sent';
  await deps.mailer.send(platformInboxMail(request, deps.platformInbox));
  return (await deps.store.markNotified(request.id, deps.clock.now())) ? 'sent' : 'already-sent';
}

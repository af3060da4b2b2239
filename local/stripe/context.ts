/**
 * What every operation of the emulator works with: the store, the clock, its own URL, and `emit`,
 * which records an event and hands it to webhook delivery. An API request gets a context whose
 * events carry its request id and idempotency key; an action of the control surface (the card
 * holder, the bank, Stripe itself) gets one whose events are "automatic" (`request.id: null`).
 */
import type Stripe from 'stripe';
import { buildEvent, type EventObject, type EventOf, type EventType } from './objects/event.ts';
import type { Store } from './store.ts';

export interface EmitOptions<T extends EventType> {
  readonly before?: EventObject<T> | undefined;
  readonly account?: string | undefined;
}

export interface Emulation {
  readonly store: Store;
  now(): Date;
  /** The emulator's base URL (`http://127.0.0.1:<port>`), for the links it hands out. */
  baseUrl(): string;
  emit<T extends EventType>(type: T, object: EventObject<T>, options?: EmitOptions<T>): EventOf<T>;
}

export interface EmulationCore {
  readonly store: Store;
  now(): Date;
  baseUrl(): string;
  /** How many webhook endpoints will receive the event (0 or 1 here): `pending_webhooks`. */
  endpointCount(): number;
  publish(event: Stripe.Event): void;
}

export const AUTOMATIC: Stripe.Event.Request = { id: null, idempotency_key: null };

export function emulationFor(core: EmulationCore, request: Stripe.Event.Request): Emulation {
  return {
    store: core.store,
    now: core.now,
    baseUrl: core.baseUrl,
    emit(type, object, options = {}) {
      const event = buildEvent({
        type,
        object,
        before: options.before,
        account: options.account,
        request,
        created: core.now(),
        pendingWebhooks: core.endpointCount(),
      });
      core.store.events.set(event.id, event);
      core.publish(event);
      return event;
    },
  };
}

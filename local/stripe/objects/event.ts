/** Stripe `event` objects: a snapshot of the object at emission time, typed per event type. */
import Stripe from 'stripe';
import { newId, toEpochSeconds } from '../ids.ts';

/** The API version the installed SDK speaks (`2026-10-28.endive` for stripe 23.1.0), stamped on every event. */
export const API_VERSION: string = Stripe.API_VERSION;

export type EventType = Stripe.Event['type'];
export type EventOf<T extends EventType> = Extract<Stripe.Event, { type: T }>;
export type EventObject<T extends EventType> = EventOf<T>['data']['object'];

export interface EventInput<T extends EventType> {
  readonly type: T;
  readonly object: EventObject<T>;
  /** The object before the change, for `previous_attributes` (Stripe sends them on updates). */
  readonly before?: EventObject<T> | undefined;
  /** Set on events about a connected account (Connect webhooks carry `account`). */
  readonly account?: string | undefined;
  readonly request: Stripe.Event.Request;
  readonly created: Date;
  readonly pendingWebhooks: number;
}

/** The top-level fields whose value changed, with their value before the change. */
export function previousAttributes<T extends object>(before: T, after: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(after) as (keyof T)[]) {
    if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changed[key] = structuredClone(before[key]);
  }
  return changed;
}

export function buildEvent<T extends EventType>(input: EventInput<T>): EventOf<T> {
  const object = structuredClone(input.object);
  const event = {
    id: newId('evt'),
    object: 'event',
    ...(input.account ? { account: input.account } : {}),
    api_version: API_VERSION,
    created: toEpochSeconds(input.created),
    data: {
      object,
      ...(input.before ? { previous_attributes: previousAttributes(input.before, object) } : {}),
    },
    livemode: false,
    pending_webhooks: input.pendingWebhooks,
    request: input.request,
    type: input.type,
  };
  // TypeScript cannot narrow a generic to one member of the Stripe.Event union; the fields above
  // are exactly those of EventBase, and `data.object` has the type the event type demands.
  return event as unknown as EventOf<T>;
}

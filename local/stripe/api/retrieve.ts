/** Read-only endpoints: events (what a webhook consumer re-fetches), charges and disputes. */
import { readParams } from '../form.ts';
import { find } from '../store.ts';
import { LIST_PARAMS, listOf, newestFirst } from './list.ts';
import type { Route } from './route.ts';

export const retrieveRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/v1/events/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.events, path.id!, 'event');
    },
  },
  {
    method: 'GET',
    path: '/v1/events',
    handle: ({ form, em }) => {
      const p = readParams(form, [...LIST_PARAMS, 'type', 'types']);
      const type = p.string('type');
      const types = p.strings('types');
      // `type` may end with a wildcard: `payment_intent.*`.
      const matches = (eventType: string) =>
        (!type || (type.endsWith('*') ? eventType.startsWith(type.slice(0, -1)) : eventType === type)) &&
        (!types || types.includes(eventType));
      return listOf(
        newestFirst(em.store.events).filter((event) => matches(event.type)),
        p,
        '/v1/events',
      );
    },
  },
  {
    method: 'GET',
    path: '/v1/charges/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.charges, path.id!, 'charge');
    },
  },
  {
    method: 'GET',
    path: '/v1/disputes/:id',
    handle: ({ form, path, em }) => {
      readParams(form, []);
      return find(em.store.disputes, path.id!, 'dispute');
    },
  },
];

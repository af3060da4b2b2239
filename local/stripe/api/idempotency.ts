/**
 * Stripe's idempotent requests (https://docs.stripe.com/api/idempotent_requests): the first
 * result of a POST with an `Idempotency-Key` is saved for 24 hours; the same key with the same
 * endpoint and parameters replays it (header `Idempotent-Replayed: true`), with anything else it
 * is refused with an `idempotency_error`. Results of requests that failed parameter validation
 * are not saved. The stripe SDK sends a key with every POST, so every POST goes through here.
 */
import type { FormObject, FormValue } from '../form.ts';
import type { IdempotencyRecord } from '../store.ts';

export interface SavedResponse {
  readonly status: number;
  readonly body: string;
}

const RETENTION_MS = 24 * 60 * 60 * 1000;

type Lookup = { kind: 'new' } | { kind: 'replay'; response: SavedResponse } | { kind: 'mismatch' };

function canonical(value: FormValue): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(canonical);
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, canonical(value[key] as FormValue)]),
  );
}

/** What makes two requests "the same": method, path and decoded parameters (order ignored). */
export function fingerprintOf(method: string, pathname: string, form: FormObject): string {
  return `${method} ${pathname} ${JSON.stringify(canonical(form))}`;
}

export interface IdempotencyStore {
  lookup(key: string, fingerprint: string, now: Date): Lookup;
  save(key: string, fingerprint: string, response: SavedResponse, now: Date): void;
}

/** Over the store's records, so that they are persisted with the rest of the state. */
export function createIdempotencyStore(saved: Map<string, IdempotencyRecord>): IdempotencyStore {
  const forget = (now: Date) => {
    for (const [key, entry] of saved) if (now.getTime() - entry.at > RETENTION_MS) saved.delete(key);
  };
  return {
    lookup(key, fingerprint, now) {
      forget(now);
      const entry = saved.get(key);
      if (!entry) return { kind: 'new' };
      return entry.fingerprint === fingerprint ? { kind: 'replay', response: entry.response } : { kind: 'mismatch' };
    },
    save(key, fingerprint, response, now) {
      saved.set(key, { fingerprint, response, at: now.getTime() });
    },
  };
}

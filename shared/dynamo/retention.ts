/**
 * Retention on the DynamoDB side: the expiry attributes an item gets when it is written, and the
 * condition every read adds so that nothing past its expiry is ever returned (DynamoDB's TTL
 * deletes "within a few days", so an expired item may still be in the table).
 */
import type { TimedPurpose } from '../retention/catalogue.ts';
import { EXPIRES_AT, type Expiry, expiryFor } from '../retention/expiry.ts';

export function withRetention<T extends object>(item: T, purpose: TimedPurpose, clockStartedAt: Date): T & Expiry {
  return { ...item, ...expiryFor(purpose, clockStartedAt) };
}

/** A filter (or condition) expression part: the item has no expiry, or it is still in the future. */
export function notExpired(now: Date): {
  expression: string;
  names: Record<string, string>;
  values: Record<string, number>;
} {
  return {
    expression: 'attribute_not_exists(#expiresAt) OR #expiresAt > :now',
    names: { '#expiresAt': EXPIRES_AT },
    values: { ':now': Math.floor(now.getTime() / 1000) },
  };
}

import { randomUUID } from 'node:crypto';

/** Opaque identifiers: random, never derived from personal data. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

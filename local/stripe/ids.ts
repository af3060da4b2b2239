/** Stripe-looking identifiers (`pi_3Q…`, `acct_1Q…`) and epoch-second timestamps. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomChars(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

export type IdPrefix =
  | 'pi'
  | 'ch'
  | 're'
  | 'dp'
  | 'acct'
  | 'evt'
  | 'req'
  | 'pm'
  | 'txn'
  | 'tr'
  | 'trr'
  | 'fee'
  | 'pmc'
  | 'link'
  | 'fr'
  | 'py'
  | 'pyr'
  | 'ca'
  | 'src'
  | 'auth';

/** Stripe ids are a prefix and 24 base-62 characters (16 for accounts, 14 for request ids). */
export function newId(prefix: IdPrefix): string {
  const length = prefix === 'acct' ? 16 : prefix === 'req' ? 14 : 24;
  return `${prefix}_${randomChars(length)}`;
}

/** The PaymentIntent's client secret: `<id>_secret_<random>`, handed to the front end by the backend. */
export function clientSecretFor(paymentIntentId: string): string {
  return `${paymentIntentId}_secret_${randomChars(25)}`;
}

export function toEpochSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

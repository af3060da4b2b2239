/**
 * Finds card data in text: what must never be stored, logged or put in an event (PCI DSS, and
 * our own rule that no card data reaches our code: the client's app pays Stripe directly).
 *
 * - PANs: runs of 13 to 19 digits (alone, or in groups of 4 to 6 split by spaces or dashes) that
 *   pass the Luhn check, and Stripe's published test numbers anywhere, even inside other text.
 *   Not taken for a PAN: a run starting with 0 (no card number does), a run glued to letters
 *   (inside a hex hash or an id: `a1234567890123b`), and a 13-, 16- or 19-digit run that reads as
 *   a time within 20 years of now in milliseconds, microseconds or nanoseconds (a timestamp).
 * - Card fields: `cvc`, `cvv` (and `cvc_check`…), `exp_month`, `exp_year`, `card[number]`,
 *   `card_number`, `fingerprint` (Stripe's card fingerprint; `requestFingerprint` is not it).
 * - The PaymentIntent client secret (`pi_…_secret_…`, or any `_secret_`) and `client_secret`.
 */

export interface Finding {
  readonly where: string;
  readonly kind: 'pan' | 'stripe-test-pan' | 'card-field' | 'client-secret';
  readonly match: string;
}

/** Stripe's published test card numbers (https://docs.stripe.com/testing). */
export const STRIPE_TEST_PANS = [
  '4242424242424242',
  '4000056655665556',
  '5555555555554444',
  '2223003122003222',
  '5200828282828210',
  '5105105105105100',
  '378282246310005',
  '371449635398431',
  '6011111111111117',
  '6011000990139424',
  '3056930009020004',
  '36227206271667',
  '3566002020360505',
  '6200000000000005',
  '4000002500000003',
  '4000000000000002',
  '4000000000009995',
  '4000000000009987',
  '4000000000009979',
  '4000000000000069',
  '4000000000000127',
  '4000000000000119',
  '4000000000000259',
  '4000000000000077',
  '4000000000003220',
  '4000002500003155',
  '4000000000000341',
];

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const TWENTY_YEARS_MS = 20 * 365 * 86_400_000;

/** A run that is a time near now in ms (13 digits), µs (16) or ns (19). */
function looksLikeTimestamp(digits: string, now: number): boolean {
  const divisor = { 13: 1, 16: 1e3, 19: 1e6 }[digits.length];
  if (divisor === undefined) return false;
  return Math.abs(Number(digits) / divisor - now) < TWENTY_YEARS_MS;
}

const DIGIT_RUN = /(?<![A-Za-z0-9])\d{13,19}(?![A-Za-z0-9])/g;
const GROUPED_RUN = /(?<![A-Za-z0-9])\d{4}(?:[ -]\d{4,6}){2,3}(?![A-Za-z0-9])/g;
const CARD_FIELDS =
  /\b(?:cvc|cvv|cvc2|cvv2|cvc_check|cvv_check|exp_month|exp_year|card_?number|fingerprint)\b|card\[(?:number|cvc|exp_month|exp_year)\]/gi;
const CLIENT_SECRET = /[A-Za-z0-9]*_secret_[A-Za-z0-9]*|\bclient_secret\b/g;

/** Every piece of card data in `text`, labelled with `where`. */
export function findCardData(where: string, text: string, now = Date.now()): Finding[] {
  const findings: Finding[] = [];
  for (const match of text.matchAll(DIGIT_RUN)) {
    const digits = match[0];
    if (!digits.startsWith('0') && luhnValid(digits) && !looksLikeTimestamp(digits, now))
      findings.push({ where, kind: 'pan', match: digits });
  }
  for (const match of text.matchAll(GROUPED_RUN)) {
    const digits = match[0].replace(/[ -]/g, '');
    if (digits.length >= 13 && digits.length <= 19 && !digits.startsWith('0') && luhnValid(digits))
      findings.push({ where, kind: 'pan', match: match[0] });
  }
  for (const pan of STRIPE_TEST_PANS)
    if (text.includes(pan) && !findings.some((f) => f.match === pan))
      findings.push({ where, kind: 'stripe-test-pan', match: pan });
  for (const match of text.matchAll(CARD_FIELDS)) findings.push({ where, kind: 'card-field', match: match[0] });
  for (const match of text.matchAll(CLIENT_SECRET)) findings.push({ where, kind: 'client-secret', match: match[0] });
  return findings;
}

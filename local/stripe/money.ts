/** Amounts in the smallest currency unit (cents), Stripe's minimums and its way of writing them. */

/** Stripe's minimum charge amounts per settlement currency (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MINIMUM: Readonly<Record<string, number>> = {
  eur: 50,
  usd: 50,
  gbp: 30,
  chf: 50,
  cad: 50,
  dkk: 250,
  sek: 300,
  nok: 300,
  pln: 200,
};

/** Stripe's maximum amount for a single charge, eight digits. */
export const MAXIMUM_AMOUNT = 99_999_999;

/** The currencies the emulator accepts: those of Stripe's European and North American accounts. */
export const CURRENCIES: readonly string[] = Object.keys(MINIMUM);

export function minimumAmount(currency: string): number {
  return MINIMUM[currency] ?? 50;
}

/** `1050, 'eur'` → `€10.50`, as Stripe writes amounts in its error messages. */
export function formatAmount(amount: number, currency: string): string {
  return new Intl.NumberFormat('en-IE', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);
}

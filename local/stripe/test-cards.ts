/**
 * Stripe's test PaymentMethod tokens (https://docs.stripe.com/testing): the only way to name a
 * card here. The emulator never asks for, receives or stores a card number; each token stands
 * for a published test card whose brand, country and last four digits Stripe itself returns.
 */
import { invalidRequest } from './errors.ts';

export interface TestCard {
  readonly brand: string;
  readonly last4: string;
  readonly country: string;
  readonly funding: 'credit' | 'debit';
  /** A declined card: the error Stripe answers and stores in `last_payment_error`. */
  readonly decline?: {
    readonly code: 'card_declined' | 'expired_card' | 'incorrect_cvc' | 'processing_error';
    readonly declineCode: string;
    readonly message: string;
  };
  /** Succeeds, then the card holder disputes the charge (`pm_card_createDispute`). */
  readonly disputes?: boolean;
  /** The issuer demands 3-D Secure on every payment: the intent goes to requires_action first. */
  readonly authentication?: 'required';
  /** Radar blocks the payment before it reaches the network (`outcome.type: blocked`). */
  readonly blocked?: 'highest_risk_level';
}

const declined = (code: NonNullable<TestCard['decline']>['code'], declineCode: string, message: string) => ({
  code,
  declineCode,
  message,
});

export const TEST_CARDS: Readonly<Record<string, TestCard>> = {
  pm_card_visa: { brand: 'visa', last4: '4242', country: 'US', funding: 'credit' },
  pm_card_visa_debit: { brand: 'visa', last4: '5556', country: 'US', funding: 'debit' },
  pm_card_mastercard: { brand: 'mastercard', last4: '4444', country: 'US', funding: 'credit' },
  pm_card_amex: { brand: 'amex', last4: '8431', country: 'US', funding: 'credit' },
  pm_card_fr: { brand: 'visa', last4: '0003', country: 'FR', funding: 'credit' },
  pm_card_createDispute: { brand: 'visa', last4: '0259', country: 'US', funding: 'credit', disputes: true },
  // https://docs.stripe.com/testing#regulatory-cards: 3-D Secure required on every payment.
  pm_card_threeDSecure2Required: {
    brand: 'visa',
    last4: '3220',
    country: 'US',
    funding: 'credit',
    authentication: 'required',
  },
  pm_card_authenticationRequired: {
    brand: 'visa',
    last4: '3184',
    country: 'DE',
    funding: 'credit',
    authentication: 'required',
  },
  // https://docs.stripe.com/testing#fraud-prevention and /radar/testing: highest risk, blocked by
  // Radar (the default rule blocks the highest risk level); the error is card_declined/fraudulent.
  pm_card_radarBlock: {
    brand: 'visa',
    last4: '0019',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'fraudulent', 'Your card was declined.'),
    blocked: 'highest_risk_level',
  },
  pm_card_riskLevelHighest: {
    brand: 'visa',
    last4: '4954',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'fraudulent', 'Your card was declined.'),
    blocked: 'highest_risk_level',
  },
  pm_card_chargeDeclined: {
    brand: 'visa',
    last4: '0002',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'generic_decline', 'Your card was declined.'),
  },
  pm_card_chargeDeclinedInsufficientFunds: {
    brand: 'visa',
    last4: '9995',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'insufficient_funds', 'Your card has insufficient funds.'),
  },
  pm_card_chargeDeclinedLostCard: {
    brand: 'visa',
    last4: '9987',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'lost_card', 'Your card was declined.'),
  },
  pm_card_chargeDeclinedStolenCard: {
    brand: 'visa',
    last4: '9979',
    country: 'US',
    funding: 'credit',
    decline: declined('card_declined', 'stolen_card', 'Your card was declined.'),
  },
  pm_card_chargeDeclinedExpiredCard: {
    brand: 'visa',
    last4: '0069',
    country: 'US',
    funding: 'credit',
    decline: declined('expired_card', 'expired_card', 'Your card has expired.'),
  },
  pm_card_chargeDeclinedIncorrectCvc: {
    brand: 'visa',
    last4: '0127',
    country: 'US',
    funding: 'credit',
    decline: declined('incorrect_cvc', 'incorrect_cvc', "Your card's security code is incorrect."),
  },
  pm_card_chargeDeclinedProcessingError: {
    brand: 'visa',
    last4: '0119',
    country: 'US',
    funding: 'credit',
    decline: declined(
      'processing_error',
      'processing_error',
      'An error occurred while processing your card. Try again in a little bit.',
    ),
  },
};

export type DeclineCode =
  | 'generic_decline'
  | 'insufficient_funds'
  | 'lost_card'
  | 'stolen_card'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'processing_error';

/** The declining test token for a decline code, for the control surface's `fail`. */
export function tokenForDecline(declineCode: DeclineCode): string {
  const entry = Object.entries(TEST_CARDS).find(([, card]) => card.decline?.declineCode === declineCode);
  if (!entry) throw invalidRequest(`No test card declines with ${declineCode}.`, 'decline_code');
  return entry[0];
}

export function testCard(token: string, param = 'payment_method'): TestCard {
  const card = TEST_CARDS[token];
  if (!card) {
    throw invalidRequest(
      `No such PaymentMethod: '${token}'. The Stripe emulator knows only test tokens: ${Object.keys(TEST_CARDS).join(', ')}.`,
      param,
      'resource_missing',
    );
  }
  return card;
}

/**
 * The settings of a function that calls Stripe (catalogue `stripe: true`), built here for both the
 * CDK app (infra/constructs/functions.ts) and the local cloud (local/cloud.ts) as environment
 * variables, and read back by the bookings composition root. The keys themselves are never in the
 * environment: only the names of the SSM SecureString parameters that hold them.
 */
export interface StripeSettings {
  /** SSM parameter holding Stripe's secret API key (sk_live_… / sk_test_…). */
  readonly secretKeyParameter: string;
  /** SSM parameter holding the webhook endpoint's signing secret (whsec_…). */
  readonly webhookSecretParameter: string;
  /** The platform's application fee on each online payment, in basis points (1000 = 10 %). */
  readonly feeBasisPoints: number;
  /** Another Stripe API than Stripe's (the local emulator); absent in AWS. */
  readonly apiBase?: string;
  /**
   * The publishable key (pk_live_… / pk_test_…) frontends give Stripe.js to confirm a payment:
   * public by design (Stripe scopes it to the PaymentIntent whose client secret goes with it), so
   * a plain variable; the checkout answer carries it. Absent: the frontends have it built in.
   */
  readonly publishableKey?: string;
}

export const stripeEnvNames = {
  secretKeyParameter: 'STRIPE_SECRET_KEY_PARAMETER',
  webhookSecretParameter: 'STRIPE_WEBHOOK_SECRET_PARAMETER',
  feeBasisPoints: 'PLATFORM_FEE_BASIS_POINTS',
  apiBase: 'STRIPE_API_BASE',
  publishableKey: 'STRIPE_PUBLISHABLE_KEY',
} as const satisfies Record<keyof StripeSettings, string>;

function checkedFee(feeBasisPoints: number): number {
  if (!Number.isInteger(feeBasisPoints) || feeBasisPoints < 0 || feeBasisPoints > 10_000)
    throw new Error('The platform fee must be an integer number of basis points from 0 to 10000');
  return feeBasisPoints;
}

/** A publishable key only: a secret key given by mistake must never reach an answer. */
function checkedPublishableKey(key: string): string {
  if (!/^pk_(test|live)_[A-Za-z0-9_]+$/.test(key))
    throw new Error('The Stripe publishable key must start with pk_test_ or pk_live_');
  return key;
}

/** The one place the environment of a Stripe-calling function is built. */
export function stripeEnv(settings: StripeSettings): Record<string, string> {
  checkedFee(settings.feeBasisPoints);
  return {
    [stripeEnvNames.secretKeyParameter]: settings.secretKeyParameter,
    [stripeEnvNames.webhookSecretParameter]: settings.webhookSecretParameter,
    [stripeEnvNames.feeBasisPoints]: String(settings.feeBasisPoints),
    ...(settings.apiBase ? { [stripeEnvNames.apiBase]: settings.apiBase } : {}),
    ...(settings.publishableKey
      ? { [stripeEnvNames.publishableKey]: checkedPublishableKey(settings.publishableKey) }
      : {}),
  };
}

/** The settings back from a function's environment (the composition root reads them on first use). */
export function stripeSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): StripeSettings {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`Missing environment variable ${name}`);
    return value;
  };
  return {
    secretKeyParameter: required(stripeEnvNames.secretKeyParameter),
    webhookSecretParameter: required(stripeEnvNames.webhookSecretParameter),
    feeBasisPoints: checkedFee(Number(required(stripeEnvNames.feeBasisPoints))),
    ...(env[stripeEnvNames.apiBase] ? { apiBase: env[stripeEnvNames.apiBase] as string } : {}),
    ...(env[stripeEnvNames.publishableKey]
      ? { publishableKey: checkedPublishableKey(env[stripeEnvNames.publishableKey] as string) }
      : {}),
  };
}

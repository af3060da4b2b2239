/**
 * The Stripe keys, read once per process from SSM Parameter Store (the SecureString parameters the
 * function's settings name, shared/payments-config.ts; never in its environment, never logged).
 * `apiBase`, when set, points the SDK at another Stripe API (the local emulator); absent, Stripe's.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type Stripe from 'stripe';
import type { StripeSettings } from '#shared/payments-config.ts';
import { stripeClient } from './stripe-gateway.ts';

export function stripeFromParameters(
  ssm: () => SSMClient,
  settings: Pick<StripeSettings, 'secretKeyParameter' | 'webhookSecretParameter' | 'apiBase'>,
): () => Promise<{ stripe: Stripe; webhookSecret: string }> {
  let loading: Promise<{ stripe: Stripe; webhookSecret: string }> | undefined;
  const load = async () => {
    const secretKeyName = settings.secretKeyParameter;
    const webhookSecretName = settings.webhookSecretParameter;
    const { Parameters = [], InvalidParameters = [] } = await ssm().send(
      new GetParametersCommand({ Names: [secretKeyName, webhookSecretName], WithDecryption: true }),
    );
    if (InvalidParameters.length > 0) throw new Error(`Missing SSM parameters: ${InvalidParameters.join(', ')}`);
    const value = (name: string) => {
      const found = Parameters.find((p) => p.Name === name)?.Value;
      if (!found) throw new Error(`SSM parameter ${name} has no value`);
      return found;
    };
    return {
      stripe: stripeClient({ secretKey: value(secretKeyName), apiBase: settings.apiBase }),
      webhookSecret: value(webhookSecretName),
    };
  };
  return () => {
    // A failed load is tried again on the next call, not cached.
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

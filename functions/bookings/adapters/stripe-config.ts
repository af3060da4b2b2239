/**
 * The Stripe keys, read once per process from SSM Parameter Store (SecureString parameters named
 * by STRIPE_SECRET_KEY_PARAMETER and STRIPE_WEBHOOK_SECRET_PARAMETER; never in the function's
 * environment, never logged). STRIPE_API_BASE, when set, points the SDK at another Stripe API
 * (the local emulator); absent, it is Stripe's.
 */
import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type Stripe from 'stripe';
import { requiredEnv } from '#shared/config.ts';
import { stripeClient } from './stripe-gateway.ts';

export function stripeFromParameters(
  ssm: () => SSMClient,
  env: NodeJS.ProcessEnv = process.env,
): () => Promise<{ stripe: Stripe; webhookSecret: string }> {
  let loading: Promise<{ stripe: Stripe; webhookSecret: string }> | undefined;
  const load = async () => {
    const secretKeyName = requiredEnv('STRIPE_SECRET_KEY_PARAMETER', env);
    const webhookSecretName = requiredEnv('STRIPE_WEBHOOK_SECRET_PARAMETER', env);
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
      stripe: stripeClient({
        secretKey: value(secretKeyName),
        webhookSecret: value(webhookSecretName),
        apiBase: env.STRIPE_API_BASE,
      }),
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

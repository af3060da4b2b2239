/** The settings of a Stripe-calling function: written into its environment once, read back the same. */
import { describe, expect, it } from 'vitest';
import { stripeEnv, stripeSettingsFromEnv } from '#shared/payments-config.ts';

describe('Stripe settings', () => {
  const settings = {
    secretKeyParameter: '/mpbe/stripe/secret-key',
    webhookSecretParameter: '/mpbe/stripe/webhook-secret',
    feeBasisPoints: 1000,
  };

  it('read back from the environment exactly as written, with or without another API base', () => {
    expect(stripeSettingsFromEnv(stripeEnv(settings))).toEqual(settings);
    const local = { ...settings, apiBase: 'http://127.0.0.1:12111' };
    expect(stripeSettingsFromEnv(stripeEnv(local))).toEqual(local);
    const withKey = { ...settings, publishableKey: 'pk_test_51AbC' };
    expect(stripeSettingsFromEnv(stripeEnv(withKey))).toEqual(withKey);
  });

  it('take a publishable key only: a secret or restricted key given by mistake never reaches an answer', () => {
    for (const key of ['sk_test_51AbC', 'rk_live_51AbC', 'whsec_x', 'pk_test_with space']) {
      expect(() => stripeEnv({ ...settings, publishableKey: key })).toThrow(/publishable key must start with pk_/);
      expect(() => stripeSettingsFromEnv({ ...stripeEnv(settings), STRIPE_PUBLISHABLE_KEY: key })).toThrow(
        /publishable key/,
      );
    }
  });

  it('refuse a fee outside 0–10 000 basis points or a missing parameter name, never naming a key', () => {
    expect(() => stripeEnv({ ...settings, feeBasisPoints: 10_001 })).toThrow(/basis points/);
    expect(() => stripeSettingsFromEnv({ ...stripeEnv(settings), PLATFORM_FEE_BASIS_POINTS: '2.5' })).toThrow(
      /basis points/,
    );
    const { STRIPE_SECRET_KEY_PARAMETER: _gone, ...rest } = stripeEnv(settings);
    expect(() => stripeSettingsFromEnv(rest)).toThrow('Missing environment variable STRIPE_SECRET_KEY_PARAMETER');
  });
});

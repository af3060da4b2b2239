/**
 * Deployment settings read from CDK context (`cdk synth -c key=value` or cdk.json), with defaults
 * that let `cdk synth` run offline and without credentials.
 */
import type { App } from 'aws-cdk-lib';
import { parseAllowedOrigins } from '#shared/http/cors.ts';
import { DEFAULT_MEDIATOR, type MediatorSettings } from '#shared/mail/mediator.ts';
import {
  DEFAULT_NEWSLETTER_LINK_TARGETS,
  DEFAULT_NEWSLETTER_PEPPER_PARAMETER,
  parseLinkTarget,
  parseLinkTargets,
} from '#shared/newsletter-config.ts';
import type { StripeSettings } from '#shared/payments-config.ts';
import { assertEuRegion, DEFAULT_REGION, type EuRegion } from './region-guard.ts';

export interface DeploymentConfig {
  readonly region: EuRegion;
  /** Undefined when neither context nor CDK_DEFAULT_ACCOUNT gives one: the stack stays account-agnostic. */
  readonly account: string | undefined;
  readonly stackName: string;
  /** Sender of every mail (functions and Cognito); its domain is the SES identity. */
  readonly mailFrom: string;
  /** The platform's own inbox (contact-form notifications). */
  readonly platformInbox: string;
  /** The SES identity that may send: the domain of `mailFrom` unless given. */
  readonly sesIdentity: string;
  /** REST API stage name. */
  readonly apiStageName: string;
  /**
   * Stripe: the SSM SecureString parameters holding the secret key and the webhook signing secret
   * (created out of band: CloudFormation cannot create SecureStrings), and the platform's fee.
   */
  readonly stripe: StripeSettings;
  /**
   * The web origins browsers may call the API from (context `corsAllowedOrigins`, comma-separated:
   * exact `https://…` origins, or `http://localhost:*` for a frontend in development), checked by
   * shared/http/cors.ts. The first, when exact, is the one API Gateway's own error answers name.
   */
  readonly corsAllowedOrigins: readonly string[];
  /**
   * The consumer mediator the platform adheres to (Code de la consommation L612-1), named in the
   * closing mail of a complaint support could not resolve: context `mediatorName` and
   * `mediatorAddress` (shared/mail/mediator.ts for the defaults).
   */
  readonly mediator: MediatorSettings;
  /**
   * The newsletter (ADR 0020): `linkBase` (context `newsletterLinkBase`, the public URL of the API
   * the mails link to; the REST API's stage URL when absent), `linkTargets` (context
   * `newsletterLinkTargets`, comma-separated https prefixes campaign links may lead to; the site
   * by default) and `pepperParameter` (context `newsletterPepperParameter`, the SSM SecureString
   * created out of band that holds the key of the address hashes and link tokens).
   */
  readonly newsletter: {
    readonly linkBase: string | undefined;
    readonly linkTargets: readonly string[];
    readonly pepperParameter: string;
  };
}

/** The frontends of the platform: its site, with and without www. */
export const DEFAULT_CORS_ORIGINS = ['https://www.monprodubienetre.fr', 'https://monprodubienetre.fr'] as const;

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`Context ${key} must be a string`);
  return value;
}

export function readConfig(app: App, env: NodeJS.ProcessEnv = process.env): DeploymentConfig {
  const region = contextString(app, 'region') ?? DEFAULT_REGION;
  assertEuRegion(region);
  const mailFrom = contextString(app, 'mailFrom') ?? 'no-reply@monprodubienetre.fr';
  const domain = mailFrom.split('@')[1];
  if (!domain) throw new Error(`Context mailFrom must be an email address, got ${mailFrom}`);
  const publishableKey = contextString(app, 'stripePublishableKey');
  const corsContext: unknown = app.node.tryGetContext('corsAllowedOrigins');
  if (corsContext !== undefined && typeof corsContext !== 'string' && !Array.isArray(corsContext)) {
    throw new Error('Context corsAllowedOrigins must be a comma-separated string or a list of origins');
  }
  const corsAllowedOrigins = parseAllowedOrigins(
    (corsContext as string | string[] | undefined) ?? DEFAULT_CORS_ORIGINS,
  );
  const newsletterLinkBase = contextString(app, 'newsletterLinkBase');
  return {
    region,
    account: contextString(app, 'account') ?? env.CDK_DEFAULT_ACCOUNT,
    stackName: contextString(app, 'stackName') ?? 'MonProDuBienEtre',
    mailFrom,
    platformInbox: contextString(app, 'platformInbox') ?? 'contact@monprodubienetre.fr',
    sesIdentity: contextString(app, 'sesIdentity') ?? domain,
    apiStageName: contextString(app, 'apiStageName') ?? 'v1',
    stripe: {
      secretKeyParameter: contextString(app, 'stripeSecretKeyParameter') ?? '/mpbe/stripe/secret-key',
      webhookSecretParameter: contextString(app, 'stripeWebhookSecretParameter') ?? '/mpbe/stripe/webhook-secret',
      feeBasisPoints: Number(contextString(app, 'platformFeeBasisPoints') ?? '1000'),
      ...(publishableKey ? { publishableKey } : {}),
    },
    corsAllowedOrigins,
    mediator: {
      name: contextString(app, 'mediatorName') ?? DEFAULT_MEDIATOR.name,
      address: contextString(app, 'mediatorAddress') ?? DEFAULT_MEDIATOR.address,
    },
    newsletter: {
      linkBase: newsletterLinkBase ? parseLinkTarget(newsletterLinkBase).href.replace(/\/+$/, '') : undefined,
      linkTargets: parseLinkTargets(contextString(app, 'newsletterLinkTargets') ?? DEFAULT_NEWSLETTER_LINK_TARGETS),
      pepperParameter: contextString(app, 'newsletterPepperParameter') ?? DEFAULT_NEWSLETTER_PEPPER_PARAMETER,
    },
  };
}

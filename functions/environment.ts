/**
 * The environment of each function, derived once from its catalogue entry (./catalogue.ts): the
 * CDK app gives a Lambda function exactly this (with the deployed resources' names and ARNs) and
 * the local cloud starts the same handler with exactly this (with the local resources' names), so
 * a variable the code reads but the entry does not declare is missing in both places alike.
 */
import { CORS_ORIGINS_ENV } from '#shared/http/cors.ts';
import { MEDIATOR_ADDRESS_ENV, MEDIATOR_NAME_ENV, type MediatorSettings } from '#shared/mail/mediator.ts';
import { type NewsletterSettings, newsletterEnv } from '#shared/newsletter-config.ts';
import { type StripeSettings, stripeEnv } from '#shared/payments-config.ts';
import { type OneTimeScheduleSettings, oneTimeScheduleEnv } from '#shared/scheduling/one-time-schedules.ts';
import { type TableName, tables } from '#shared/tables.ts';
import type { FunctionDefinition, TableAccess } from './catalogue.ts';

/** What a function may be told about the deployed resources (values or CDK tokens). */
export interface FunctionResources {
  /** The physical name of a table. */
  readonly tableName: (table: TableName) => string;
  readonly eventBusName: string;
  readonly mail: { readonly from: string; readonly platformInbox: string };
  readonly stripe: StripeSettings;
  readonly identity: {
    readonly userPoolId: string;
    readonly cguVersion: string;
    /** The `iss` of the pool's tokens; its JWKS is `<issuer>/.well-known/jwks.json`. */
    readonly issuer: string;
    /** The app client the ID tokens are issued to (their `aud`). */
    readonly appClientId: string;
  };
  /**
   * The WebSocket API's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`)
   * and the ARN pattern of its stage's connections, for functions that manage connections.
   */
  readonly webSocket: () => { readonly endpoint: string; readonly connectionsArn: string };
  /** The settings of the one-time schedules that invoke `target` (its group, role, dead letters). */
  readonly oneTimeSchedules: (target: string) => OneTimeScheduleSettings;
  /** The web origins browsers may call the API from (shared/http/cors.ts), checked. */
  readonly corsAllowedOrigins: readonly string[];
  /** The consumer mediator the platform adheres to (shared/mail/mediator.ts). */
  readonly mediator: MediatorSettings;
  /**
   * The newsletter's links, their allowed targets, its pepper parameter and the SES configuration
   * set of its mails (shared/newsletter-config.ts).
   */
  readonly newsletter: () => NewsletterSettings;
}

/** The bounded context of a function: the folder under functions/ (Powertools' service name). */
export function contextOf(entry: string): string {
  const [root, context] = entry.split('/');
  if (root !== 'functions' || !context) throw new Error(`Function entry ${entry} is not under functions/<context>/`);
  return context;
}

/** The tables of an entry with their access mode. */
export function tableAccessOf(definition: FunctionDefinition): [TableName, TableAccess][] {
  return Object.entries(definition.tables ?? {}) as [TableName, TableAccess][];
}

/**
 * The environment variables of a function, each from one field of its entry: a table's name per
 * declared table, the bus when it publishes events, the sender when it sends mail, the Stripe
 * parameters when it calls Stripe, the pool when it administers users (a Cognito trigger reads the
 * pool from its event), the schedule settings when it creates one-time schedules, the allowed
 * web origins when it serves routes, the token issuer when it verifies tokens, the WebSocket
 * management endpoint when it manages connections, the newsletter's settings for its functions
 * (and its SES configuration set for those that send mail).
 */
export function functionEnvironment(
  definition: FunctionDefinition,
  resources: FunctionResources,
): Record<string, string> {
  const environment: Record<string, string> = { POWERTOOLS_SERVICE_NAME: contextOf(definition.entry) };
  for (const [table] of tableAccessOf(definition)) environment[tables[table].envVar] = resources.tableName(table);
  if (definition.publishesEvents) environment.EVENT_BUS_NAME = resources.eventBusName;
  if (definition.sendsMail) {
    environment.MAIL_FROM = resources.mail.from;
    environment.PLATFORM_INBOX = resources.mail.platformInbox;
  }
  if (definition.stripe) Object.assign(environment, stripeEnv(resources.stripe));
  if (definition.identity) {
    environment.CGU_VERSION = resources.identity.cguVersion;
    if (!definition.identity.trigger) environment.COGNITO_USER_POOL_ID = resources.identity.userPoolId;
  }
  if (definition.oneTimeSchedules)
    Object.assign(environment, oneTimeScheduleEnv(resources.oneTimeSchedules(definition.oneTimeSchedules.target)));
  if (definition.http) environment[CORS_ORIGINS_ENV] = resources.corsAllowedOrigins.join(',');
  if (definition.verifiesTokens) {
    environment.COGNITO_ISSUER = resources.identity.issuer;
    environment.COGNITO_APP_CLIENT_ID = resources.identity.appClientId;
  }
  if (definition.managesConnections) environment.WEBSOCKET_ENDPOINT = resources.webSocket().endpoint;
  if (definition.mediator) {
    environment[MEDIATOR_NAME_ENV] = resources.mediator.name;
    environment[MEDIATOR_ADDRESS_ENV] = resources.mediator.address;
  }
  if (definition.newsletter)
    Object.assign(environment, newsletterEnv(resources.newsletter(), { sendsMail: definition.sendsMail === true }));
  return environment;
}

/** The newsletter context's composition root: the only place its adapters are built. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient, ssmClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { cognitoPersonDirectory } from '#shared/identity/people.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { newsletterConfigurationSetFromEnv, newsletterSettingsFromEnv } from '#shared/newsletter-config.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { dynamoCampaignStore } from './adapters/campaign-store.ts';
import { pepperFromParameter } from './adapters/pepper.ts';
import { dynamoSubscriptionStore } from './adapters/subscription-store.ts';
import type { CampaignDeps } from './campaigns.ts';
import type { LinkDeps, NewsletterDeps } from './use-cases.ts';

const clock = systemClock;
const store = () => dynamoSubscriptionStore({ client: documentClient(), tableName: tableNameFromEnv('newsletter') });
const events = () =>
  eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock });

/**
 * A newsletter function that sends mail: the table, the bus, SES with the newsletter's
 * configuration set (its bounces and complaints reach recordSesFeedback), the pepper (SSM) and
 * the links' base.
 */
export const newsletterDeps = (): NewsletterDeps => {
  const settings = newsletterSettingsFromEnv();
  return {
    store: store(),
    events: events(),
    mailer: sesMailer({
      client: sesClient(),
      from: requiredEnv('MAIL_FROM'),
      configurationSet: newsletterConfigurationSetFromEnv(),
    }),
    clock,
    pepper: pepperFromParameter(ssmClient, settings.pepperParameter),
    linkBase: settings.linkBase,
  };
};

/** A signed-in person's newsletter consent (ConsentChanged): their address from Cognito. */
export const consentFollowerDeps = () => ({
  ...newsletterDeps(),
  people: cognitoPersonDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
});

/** The confirmation: the token carries the address's digest; no pepper, no mail. */
export const confirmDeps = (): Pick<NewsletterDeps, 'store' | 'events' | 'clock'> => ({
  store: store(),
  events: events(),
  clock,
});

/** The long-lived links (unsubscribe, renewal): their MAC is checked under the pepper. */
export const linkDeps = (): LinkDeps => ({
  store: store(),
  events: events(),
  clock,
  pepper: pepperFromParameter(ssmClient, newsletterSettingsFromEnv().pepperParameter),
});

const campaigns = () => dynamoCampaignStore({ client: documentClient(), tableName: tableNameFromEnv('newsletter') });

/** Staff's campaign routes: the campaigns, the allowed link targets, the bus. */
export const campaignAdminDeps = (): Pick<CampaignDeps, 'campaigns' | 'linkTargets' | 'clock' | 'events'> => ({
  campaigns: campaigns(),
  linkTargets: newsletterSettingsFromEnv().linkTargets,
  clock,
  events: events(),
});

/** The sender: everything a newsletter function has, and the campaigns. */
export const campaignSenderDeps = (): CampaignDeps => ({
  ...newsletterDeps(),
  campaigns: campaigns(),
  linkTargets: newsletterSettingsFromEnv().linkTargets,
});

/** The tracked redirect: the campaign's links, the allow-list, the subscriber's clock. */
export const followLinkDeps = (): Pick<CampaignDeps, 'campaigns' | 'store' | 'clock' | 'pepper' | 'linkTargets'> => {
  const settings = newsletterSettingsFromEnv();
  return {
    campaigns: campaigns(),
    store: store(),
    clock,
    pepper: pepperFromParameter(ssmClient, settings.pepperParameter),
    linkTargets: settings.linkTargets,
  };
};

/**
 * The composition root of the reviews part's functions (ADR 0015): the only place their adapters
 * are built, from the function's environment: TABLE_REVIEWS, and where needed COGNITO_USER_POOL_ID
 * (the author's name and email), MAIL_FROM, EVENT_BUS_NAME (the outbox).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { cognitoAuthorDirectory } from './adapters/author-directory.ts';
import { dynamoReviewStore } from './adapters/review-store.ts';
import type { MailDeps, ReviewDeps, SubmitDeps } from './review-use-cases.ts';

const store = () => dynamoReviewStore({ client: documentClient(), tableName: tableNameFromEnv('reviews') });

const authors = () =>
  cognitoAuthorDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  });

export const reviewDeps = (): ReviewDeps => ({ store: store(), clock: systemClock });

export const submitDeps = (): SubmitDeps => ({ store: store(), clock: systemClock, authors: authors() });

export const mailDeps = (): MailDeps => ({
  store: store(),
  clock: systemClock,
  authors: authors(),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => systemClock.now() }),
});

export const outboxDeps = () => ({
  events: eventBridgePublisher({
    client: eventBridgeClient(),
    busName: requiredEnv('EVENT_BUS_NAME'),
    clock: systemClock,
  }),
});

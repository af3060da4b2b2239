/**
 * The composition root of the reports part's functions (ADR 0015): the only place their adapters
 * are built, from the function's environment: TABLE_REVIEWS, and where needed EVENT_BUS_NAME,
 * COGNITO_USER_POOL_ID (the parties' email and first name), MAIL_FROM.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { clientConfig, documentClient, eventBridgeClient, sesClient } from '#shared/aws-clients.ts';
import { systemClock } from '#shared/clock.ts';
import { requiredEnv } from '#shared/config.ts';
import { eventBridgePublisher } from '#shared/events/publisher.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { tableNameFromEnv } from '#shared/tables.ts';
import { cognitoAuthorDirectory } from './adapters/author-directory.ts';
import { dynamoReportStore } from './adapters/report-store.ts';
import { dynamoReviewStore } from './adapters/review-store.ts';
import type { AnnouncingDeps, ReportDeps, ReportMailDeps } from './report-use-cases.ts';

const clock = systemClock;
const table = () => ({ client: documentClient(), tableName: tableNameFromEnv('reviews') });

export const reportDeps = (): ReportDeps => ({
  reports: dynamoReportStore(table()),
  reviews: dynamoReviewStore(table()),
  clock,
});

export const announcingDeps = (): AnnouncingDeps => ({
  ...reportDeps(),
  events: eventBridgePublisher({ client: eventBridgeClient(), busName: requiredEnv('EVENT_BUS_NAME'), clock }),
});

export const reportMailDeps = (): ReportMailDeps => ({
  ...reportDeps(),
  directory: cognitoAuthorDirectory({
    client: new CognitoIdentityProviderClient(clientConfig),
    userPoolId: requiredEnv('COGNITO_USER_POOL_ID'),
  }),
  mailer: sesMailer({ client: sesClient(), from: requiredEnv('MAIL_FROM'), now: () => clock.now() }),
});

/**
 * SES's bounces and complaints, through SNS (ADR 0020): a permanent bounce or a complaint ends the
 * recipient's subscription at once and suppresses the address. Locally, SNS is not emulated: a
 * test invokes the function with an SNS-shaped event (Lambda Invoke on the local AWS endpoint).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { SNSEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { linkDeps } from '../composition.ts';
import { recordSesFeedback } from '../use-cases.ts';

const deps = linkDeps();

export const handler = middy<SNSEvent, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    for (const record of event.Records ?? []) {
      const outcome = await recordSesFeedback(deps, record.Sns?.Message ?? '');
      // Counts and the kind, never an address.
      logger.info('SES feedback', { messageId: record.Sns?.MessageId, ...outcome });
    }
  });

/**
 * Cognito PostConfirmation trigger: a confirmed sign-up opens its account item and joins the
 * group of its account type. If it fails, Cognito keeps the user confirmed and the sign-up sees
 * an error; the first signed-in call opens the account then (see recordActivity).
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { PostConfirmationTriggerEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { confirmationDeps } from '../composition.ts';
import { confirmSignUp } from '../use-cases.ts';

const depsFor = confirmationDeps();

export const handler = middy<PostConfirmationTriggerEvent, PostConfirmationTriggerEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const attributes = event.request.userAttributes ?? {};
    const accountId = attributes.sub ?? event.userName;
    const outcome = await confirmSignUp(depsFor(event.userPoolId), event.triggerSource, accountId, attributes);
    logger.info('Sign-up confirmed', { accountId, triggerSource: event.triggerSource, outcome });
    return event;
  });

/**
 * Cognito PreSignUp trigger: refuses a sign-up that does not accept the CGU in force or names no
 * account type. Cognito answers the sign-up with "PreSignUp failed with error <message>"; the
 * message names the rule, never what was sent.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { PreSignUpTriggerEvent } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { preSignUpDeps } from '../composition.ts';
import { SignUpRefused } from '../domain/account.ts';
import { preSignUp } from '../use-cases.ts';

const deps = preSignUpDeps();

export const handler = middy<PreSignUpTriggerEvent, PreSignUpTriggerEvent>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    try {
      preSignUp(deps, event.triggerSource, event.request.userAttributes ?? {});
    } catch (error) {
      if (error instanceof SignUpRefused) logger.info('Sign-up refused', { triggerSource: event.triggerSource });
      throw error;
    }
    logger.info('Sign-up accepted', { triggerSource: event.triggerSource });
    return event;
  });

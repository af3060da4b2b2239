/** PUT /me/consents/{choice}: gives, withdraws, objects or stops objecting (logged; ConsentChanged). */
import { httpHandler } from '#shared/http/handler.ts';
import { consentDeps } from '../composition.ts';
import { putMyConsent } from '../consents.ts';
import { putMyConsent as operation } from '../contract.ts';

const deps = consentDeps();

export const handler = httpHandler(operation, async ({ caller, pathParameters, body }) => ({
  status: 200,
  body: await putMyConsent(deps, caller!.userId, pathParameters.choice, body),
}));

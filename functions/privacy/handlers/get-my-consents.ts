/** GET /me/consents: the signed-in person's consents and objections, and their last changes. */
import { httpHandler } from '#shared/http/handler.ts';
import { consentDeps } from '../composition.ts';
import { getMyConsents } from '../consents.ts';
import { getMyConsents as operation } from '../contract.ts';

const deps = consentDeps();

export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 200,
  body: await getMyConsents(deps, caller!.userId),
}));

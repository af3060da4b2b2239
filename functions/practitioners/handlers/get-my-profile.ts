import { httpHandler } from '#shared/http/handler.ts';
import { practitionerDeps } from '../composition.ts';
import { getMyPractitionerProfile as operation } from '../contract.ts';
import { getMyProfile } from '../use-cases.ts';

const deps = practitionerDeps();

// The route is for the practitioner role only, so the shared handler has set the caller.
export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 200,
  body: await getMyProfile(deps, caller!.userId),
}));

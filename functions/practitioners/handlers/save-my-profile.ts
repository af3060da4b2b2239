import { httpHandler } from '#shared/http/handler.ts';
import { practitionerDeps } from '../composition.ts';
import { saveMyPractitionerProfile as operation } from '../contract.ts';
import { saveMyProfile } from '../use-cases.ts';

const deps = practitionerDeps();

// The route is for the practitioner role only, so the shared handler has set the caller.
export const handler = httpHandler(operation, async ({ body, caller }) => ({
  status: 200,
  body: await saveMyProfile(deps, caller!.userId, body),
}));

import { httpHandler } from '#shared/http/handler.ts';
import { profileDeps } from '../composition.ts';
import { updateMe as operation } from '../contract.ts';
import { updateMe } from '../use-cases.ts';

const deps = profileDeps();

export const handler = httpHandler(operation, async ({ caller, body }) => ({
  status: 200,
  body: await updateMe(deps, caller!, body),
}));

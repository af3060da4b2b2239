import { httpHandler } from '#shared/http/handler.ts';
import { profileDeps } from '../composition.ts';
import { getMe as operation } from '../contract.ts';
import { getMe } from '../use-cases.ts';

const deps = profileDeps();

export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 200,
  body: await getMe(deps, caller!),
}));

import { httpHandler } from '#shared/http/handler.ts';
import { deathDeps } from '../composition.ts';
import { recordDeath as operation } from '../contract.ts';
import { recordDeath } from '../directives.ts';

const deps = deathDeps();

export const handler = httpHandler(operation, async ({ caller, body }) => ({
  status: 201,
  body: await recordDeath(deps, caller!.userId, body),
}));

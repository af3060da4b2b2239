import { httpHandler } from '#shared/http/handler.ts';
import { directiveDeps } from '../composition.ts';
import { setMyDirective as operation } from '../contract.ts';
import { setMyDirective } from '../directives.ts';

const deps = directiveDeps();

export const handler = httpHandler(operation, async ({ caller, body }) => ({
  status: 200,
  body: await setMyDirective(deps, caller!.userId, body),
}));

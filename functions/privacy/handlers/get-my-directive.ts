import { httpHandler } from '#shared/http/handler.ts';
import { directiveDeps } from '../composition.ts';
import { getMyDirective as operation } from '../contract.ts';
import { getMyDirective } from '../directives.ts';

const deps = directiveDeps();

export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 200,
  body: await getMyDirective(deps, caller!.userId),
}));

import { httpHandler } from '#shared/http/handler.ts';
import { directiveDeps } from '../composition.ts';
import { revokeMyDirective as operation } from '../contract.ts';
import { revokeMyDirective } from '../directives.ts';

const deps = directiveDeps();

export const handler = httpHandler(operation, async ({ caller }) => {
  await revokeMyDirective(deps, caller!.userId);
  return { status: 204 };
});

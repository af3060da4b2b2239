import { httpHandler } from '#shared/http/handler.ts';
import { openDeps } from '../composition.ts';
import { openConversation as operation } from '../contract.ts';
import { openConversation } from '../use-cases.ts';

const deps = openDeps();

export const handler = httpHandler(operation, async ({ body, caller }) => {
  const { created, view } = await openConversation(deps, caller!.userId, body.practitionerId);
  return { status: created ? 201 : 200, body: view };
});

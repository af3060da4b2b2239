import { httpHandler } from '#shared/http/handler.ts';
import { erasureDeps } from '../composition-controller.ts';
import { listMyControllerActions as operation } from '../contract.ts';
import { listControllerActions } from '../controller.ts';

const deps = erasureDeps();

export const handler = httpHandler(operation, async ({ query, caller }) => ({
  status: 200,
  body: await listControllerActions(deps, caller!.userId, query),
}));

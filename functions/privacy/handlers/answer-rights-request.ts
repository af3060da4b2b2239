import { httpHandler } from '#shared/http/handler.ts';
import { requestDeps } from '../composition.ts';
import { answerRightsRequest as operation } from '../contract.ts';
import { answerRightsRequest } from '../use-cases.ts';

const deps = requestDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 200,
  body: await answerRightsRequest(deps, caller!.userId, pathParameters.requestId, body),
}));

import { httpHandler } from '#shared/http/handler.ts';
import { directiveDeps } from '../composition.ts';
import { getDeath as operation } from '../contract.ts';
import { getDeath } from '../directives.ts';

const deps = directiveDeps();

export const handler = httpHandler(operation, async ({ pathParameters }) => ({
  status: 200,
  body: await getDeath(deps, pathParameters.accountId),
}));

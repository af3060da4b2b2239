import { httpHandler } from '#shared/http/handler.ts';
import { listHoldsDeps } from '../composition-holds.ts';
import { listLegalHolds as operation } from '../contract.ts';
import { listLegalHolds } from '../holds.ts';

const deps = listHoldsDeps();

export const handler = httpHandler(operation, async () => ({ status: 200, body: await listLegalHolds(deps) }));

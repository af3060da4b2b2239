import { httpHandler } from '#shared/http/handler.ts';
import { getHealth } from '../contract.ts';

export const handler = httpHandler(getHealth, async () => ({
  status: 200,
  body: { status: 'ok', service: 'monprodubienetre-api', time: new Date().toISOString() },
}));

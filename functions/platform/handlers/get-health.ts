import { publicHttpHandler } from '#shared/http/public-handler.ts';
import { getHealth } from '../contract.ts';

export const handler = publicHttpHandler(getHealth, async () => ({
  status: 200,
  body: { status: 'ok', service: 'monprodubienetre-api', time: new Date().toISOString() },
}));

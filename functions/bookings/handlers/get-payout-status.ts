import { httpHandler } from '#shared/http/handler.ts';
import { paymentDeps } from '../composition-payments.ts';
import { getPayoutStatus as operation } from '../contract.ts';
import { payoutStatus } from '../payments.ts';

const deps = paymentDeps();

export const handler = httpHandler(operation, async ({ caller }) => ({
  status: 200,
  body: await payoutStatus(deps, caller!.userId),
}));

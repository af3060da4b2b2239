import { httpHandler } from '#shared/http/handler.ts';
import { paymentDeps } from '../composition-payments.ts';
import { startPayoutOnboarding as operation } from '../contract.ts';
import { startPayoutOnboarding } from '../payments.ts';

const deps = paymentDeps();

// The route is for the practitioner role: the account is always the caller's own.
export const handler = httpHandler(operation, async ({ body, caller }) => ({
  status: 200,
  body: await startPayoutOnboarding(deps, caller!.userId, body),
}));

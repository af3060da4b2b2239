import { httpHandler } from '#shared/http/handler.ts';
import { paymentDeps } from '../composition-payments.ts';
import { refundAppointmentByStaff as operation } from '../contract.ts';
import { refundByStaff } from '../payments.ts';

const deps = paymentDeps();

// Support staff only (the route's access); the refund records who and why.
export const handler = httpHandler(operation, async ({ pathParameters, body, headers, caller }) => ({
  status: 200,
  body: await refundByStaff(
    deps,
    pathParameters.appointmentId,
    { actorId: caller!.userId, key: headers['idempotency-key']! },
    body,
  ),
}));

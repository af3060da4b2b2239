import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { rescheduleAppointment as operation } from '../contract.ts';
import { rescheduleAppointment } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, body, caller }) => ({
  status: 200,
  body: await rescheduleAppointment(deps, pathParameters.appointmentId, caller!.userId, body.start),
}));

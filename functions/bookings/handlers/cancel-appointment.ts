import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { cancelAppointment as operation } from '../contract.ts';
import { cancelAppointment } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await cancelAppointment(deps, pathParameters.appointmentId, caller!.userId),
}));

import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { getAppointment as operation } from '../contract.ts';
import { getAppointment } from '../use-cases.ts';

const deps = bookingDeps();

export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await getAppointment(deps, pathParameters.appointmentId, caller!.userId),
}));

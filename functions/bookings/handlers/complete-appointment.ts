import { httpHandler } from '#shared/http/handler.ts';
import { bookingDeps } from '../composition.ts';
import { completeAppointment as operation } from '../contract.ts';
import { recordOutcome } from '../use-cases.ts';

const deps = bookingDeps();

// The route is for the practitioner role; the use case checks this is their appointment.
export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await recordOutcome(deps, pathParameters.appointmentId, caller!.userId, 'completed'),
}));

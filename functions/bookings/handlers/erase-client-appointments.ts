import { httpHandler } from '#shared/http/handler.ts';
import { erasureDeps } from '../composition-controller.ts';
import { eraseClientAppointments as operation } from '../contract.ts';
import { eraseClientAppointments } from '../controller.ts';

const deps = erasureDeps();

// The route is for the practitioner role: only the caller's own appointments with this client go.
export const handler = httpHandler(operation, async ({ pathParameters, caller }) => ({
  status: 200,
  body: await eraseClientAppointments(deps, caller!.userId, pathParameters.clientId),
}));

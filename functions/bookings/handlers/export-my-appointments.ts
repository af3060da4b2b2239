import { httpHandler } from '#shared/http/handler.ts';
import { exportDeps } from '../composition-controller.ts';
import { exportMyAppointments as operation } from '../contract.ts';
import { exportAppointments } from '../controller.ts';

const deps = exportDeps();

// The route is for the practitioner role: the export is always of the caller's own appointments.
export const handler = httpHandler(operation, async ({ query, caller }) => {
  const answer = await exportAppointments(deps, caller!.userId, query.format);
  const headers = { 'Content-Disposition': `attachment; filename="${answer.filename}"` };
  return answer.format === 'csv'
    ? { status: 200, rawBody: answer.csv, contentType: 'text/csv; charset=utf-8', headers }
    : { status: 200, body: answer.rows, headers };
});

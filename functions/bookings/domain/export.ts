/**
 * A practitioner's export of their appointment data (they are its controller, the platform their
 * processor): one flat row per appointment, the same stable columns in JSON and in CSV. Pure: no
 * AWS, no I/O.
 *
 * CSV follows RFC 4180 (comma, CRLF, a header row, fields with a comma, a quote or a line break
 * quoted, quotes doubled), UTF-8. Spreadsheets run a cell that starts with = + - @ (or a tab or a
 * carriage return) as a formula, so such a cell gets a leading apostrophe (OWASP "CSV injection"):
 * a client named "=HYPERLINK(…)" stays text on the practitioner's computer.
 */
import type { Appointment } from './appointment.ts';

/** What the export shows of a client: their name and email, when the identity is still there. */
export interface ClientIdentity {
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly email: string | null;
}

export const unknownClient: ClientIdentity = { firstName: null, lastName: null, email: null };

/** The columns, in order: the JSON keys and the CSV header. Append only, never rename. */
export const exportColumns = [
  'appointmentId',
  'state',
  'start',
  'end',
  'startLocal',
  'serviceId',
  'serviceName',
  'durationMinutes',
  'priceCents',
  'clientId',
  'clientFirstName',
  'clientLastName',
  'clientEmail',
  'cancelledBy',
  'cancelledAt',
  'lateCancellation',
  'cancellationFeePercent',
  'createdAt',
  'updatedAt',
] as const;

export type ExportRow = {
  readonly [K in (typeof exportColumns)[number]]: string | number | boolean | null;
};

/** One row; `local` renders an instant in Europe/Paris wall-clock time (YYYY-MM-DDTHH:MM). */
export function exportRow(a: Appointment, client: ClientIdentity, local: (instant: Date) => string): ExportRow {
  return {
    appointmentId: a.id,
    state: a.state,
    start: a.start.toISOString(),
    end: a.end.toISOString(),
    startLocal: local(a.start),
    serviceId: a.service.id,
    serviceName: a.service.name,
    durationMinutes: a.service.durationMinutes,
    priceCents: a.service.priceCents,
    clientId: a.clientId,
    clientFirstName: client.firstName,
    clientLastName: client.lastName,
    clientEmail: client.email,
    cancelledBy: a.cancellation?.by ?? null,
    cancelledAt: a.cancellation?.at.toISOString() ?? null,
    lateCancellation: a.cancellation ? a.cancellation.late : null,
    cancellationFeePercent: a.cancellation ? a.cancellation.feePercent : null,
    createdAt: a.createdAt.toISOString(),
    updatedAt: a.updatedAt.toISOString(),
  };
}

/** The rows of an export, by start then id (the order of the practitioner's agenda). */
export function exportRows(
  appointments: readonly Appointment[],
  clients: ReadonlyMap<string, ClientIdentity>,
  local: (instant: Date) => string,
): ExportRow[] {
  return [...appointments]
    .sort((x, y) => x.start.getTime() - y.start.getTime() || x.id.localeCompare(y.id))
    .map((a) => exportRow(a, clients.get(a.clientId) ?? unknownClient, local));
}

const formulaStart = /^[=+\-@\t\r]/;

/** One CSV field: neutralised against formulas, then quoted when RFC 4180 asks for it. */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && formulaStart.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The CSV document: the header row, then one record per row, every line ended by CRLF. */
export function toCsv(rows: readonly ExportRow[]): string {
  const lines = [exportColumns.join(','), ...rows.map((row) => exportColumns.map((c) => csvField(row[c])).join(','))];
  return `${lines.map((line) => `${line}\r\n`).join('')}`;
}

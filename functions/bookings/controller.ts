/**
 * The practitioner as controller of their clients' appointment data (the platform is their
 * processor): they export all of it, or erase what concerns one client; each export and erasure
 * is logged by identifiers only (./adapters/controller-action-store.ts), and the practitioner
 * reads that log.
 *
 * Erasure deletes every appointment of the client with this practitioner, whatever its state or
 * date, with the slot locks it holds: an upcoming appointment is not cancelled first (no
 * BookingCancelled, no notification: the data is gone, nothing is processed about it any more),
 * its time is free again at once; the answer says how many were upcoming. An appointment under a
 * legal hold is kept (the hold prevails, GDPR art. 17(3)(b) and (e)) and counted.
 */
import { ClientAppointmentsErased } from '#events/catalogue.ts';
import type { Clock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { newId } from '#shared/ids.ts';
import type { AppointmentStore } from './adapters/appointment-store.ts';
import type { ClientDirectory } from './adapters/client-directory.ts';
import type { ControllerAction, ControllerActionStore } from './adapters/controller-action-store.ts';
import type { PaymentStore } from './adapters/payment-store.ts';
import { type Appointment, holdsItsTime } from './domain/appointment.ts';
import { type ClientIdentity, type ExportRow, exportRows, toCsv } from './domain/export.ts';
import { parisLocal } from './use-cases.ts';

export interface ControllerDeps {
  readonly store: Pick<AppointmentStore, 'listForPractitioner' | 'listForClient' | 'find' | 'erase'>;
  readonly clients: ClientDirectory;
  readonly actions: ControllerActionStore;
  readonly clock: Clock;
}

/** Erasure reads no identity. */
export type ErasureDeps = Omit<ControllerDeps, 'clients'> & {
  /** Announces the erased keys, for the retention engine's erasure log (replayed after a restore). */
  readonly events: EventPublisher;
  /** Payment records: an upcoming appointment paid online is not erased before it is cancelled (and refunded). */
  readonly payments: Pick<PaymentStore, 'find'>;
};

/** Every start a retained appointment can have: the whole of the practitioner's partition of the index. */
const allTime = { from: new Date('1970-01-01T00:00:00.000Z'), to: new Date('9999-12-31T23:59:59.999Z') };

/** Identity look-ups run a few at a time: AdminGetUser has a per-account quota shared by the pool. */
const LOOKUP_CONCURRENCY = 4;

async function mapLimited<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await run(items[i]!);
      }
    }),
  );
  return out;
}

export type ExportFormat = 'json' | 'csv';

export type ExportAnswer =
  | { readonly format: 'json'; readonly rows: ExportRow[]; readonly filename: string }
  | { readonly format: 'csv'; readonly csv: string; readonly filename: string };

/**
 * Every appointment of the practitioner still retained (every state, past and future), with
 * each client's name and email: the practitioner must know who their clients are. Logged.
 */
export async function exportAppointments(
  deps: ControllerDeps,
  practitionerId: string,
  format: ExportFormat,
): Promise<ExportAnswer> {
  const now = deps.clock.now();
  const appointments = await deps.store.listForPractitioner(practitionerId, allTime, now);
  const clientIds = [...new Set(appointments.map((a) => a.clientId))];
  const identities = await mapLimited(clientIds, LOOKUP_CONCURRENCY, (id) => deps.clients.identity(id));
  const clients = new Map<string, ClientIdentity>(clientIds.map((id, i) => [id, identities[i]!]));
  const rows = exportRows(appointments, clients, parisLocal);
  await deps.actions.record({
    actionId: newId('ctrl'),
    action: 'export',
    practitionerId,
    count: rows.length,
    format,
    at: now,
  });
  const filename = `appointments-${now.toISOString().slice(0, 10)}.${format}`;
  return format === 'csv' ? { format, csv: toCsv(rows), filename } : { format, rows, filename };
}

/** The client's appointments with this practitioner (every state and date), through the client index. */
async function appointmentsWith(deps: ErasureDeps, practitionerId: string, clientId: string, now: Date) {
  const found: Appointment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listForClient(clientId, { limit: 100, ...(cursor ? { cursor } : {}), now });
    found.push(...page.items.filter((a) => a.practitionerId === practitionerId));
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

const ERASE_ATTEMPTS = 5;
/** Keys per ClientAppointmentsErased event: well under EventBridge's 256 KB. */
const ERASED_KEYS_PER_EVENT = 1000;

/**
 * Erases every appointment of `clientId` with `practitionerId`, and the slot locks they hold.
 * Idempotent: a second call finds nothing and answers 0. Logged, even when nothing was erased.
 */
export async function eraseClientAppointments(deps: ErasureDeps, practitionerId: string, clientId: string) {
  const now = deps.clock.now();
  const listed = await appointmentsWith(deps, practitionerId, clientId, now);
  // Erasing an upcoming appointment the client paid online would take the payment's record with
  // it and no refund would follow: it must be cancelled first (the policy's refund goes out).
  for (const a of listed.filter((a) => holdsItsTime(a) && a.start.getTime() > now.getTime())) {
    const paid = await deps.payments.find(a.id, now);
    if (paid && paid.status !== 'failed')
      throw new HttpProblem(
        409,
        'Paid appointment ahead',
        'An upcoming appointment of this client was paid online: cancel it first (the client is refunded), then erase',
      );
  }
  let erased = 0;
  let upcomingErased = 0;
  let keptUnderHold = 0;
  const erasedKeys: { pk: string; sk: string }[] = [];
  for (const one of listed) {
    // The index is eventually consistent: the appointment is read again, and again if it changes meanwhile.
    for (let attempt = 0; attempt < ERASE_ATTEMPTS; attempt++) {
      const current = await deps.store.find(one.id, now);
      if (!current || current.practitionerId !== practitionerId || current.clientId !== clientId) break;
      const outcome = await deps.store.erase(current);
      if (outcome.kind === 'stale') {
        if (attempt === ERASE_ATTEMPTS - 1)
          throw new HttpProblem(409, 'Changed meanwhile', 'An appointment kept changing: erase again');
        continue;
      }
      if (outcome.kind === 'erased') {
        erased++;
        erasedKeys.push(...outcome.keys);
        if (current.start.getTime() > now.getTime()) upcomingErased++;
      }
      if (outcome.kind === 'held') keptUnderHold++;
      break;
    }
  }
  const actionId = newId('ctrl');
  // The keys go to the erasure log (retention context), so a backup restore does not bring them back.
  for (let part = 0; part * ERASED_KEYS_PER_EVENT < erasedKeys.length; part++) {
    await deps.events.publish(
      ClientAppointmentsErased,
      {
        erasureId: actionId,
        practitionerId,
        clientId,
        part: part + 1,
        keys: erasedKeys.slice(part * ERASED_KEYS_PER_EVENT, (part + 1) * ERASED_KEYS_PER_EVENT),
      },
      { correlationId: actionId },
    );
  }
  await deps.actions.record({ actionId, action: 'erase', practitionerId, clientId, count: erased, at: now });
  return { clientId, erased, upcomingErased, keptUnderHold, actionId };
}

function actionView(a: ControllerAction) {
  return {
    actionId: a.actionId,
    action: a.action,
    count: a.count,
    ...(a.clientId !== undefined ? { clientId: a.clientId } : {}),
    ...(a.format !== undefined ? { format: a.format } : {}),
    at: a.at.toISOString(),
  };
}

/** The practitioner's own exports and erasures, newest first: their proof as controller. */
export async function listControllerActions(
  deps: Pick<ControllerDeps, 'actions' | 'clock'>,
  practitionerId: string,
  query: { limit: number; cursor?: string | undefined },
) {
  const page = await deps.actions.list(practitionerId, {
    limit: query.limit,
    ...(query.cursor ? { cursor: query.cursor } : {}),
    now: deps.clock.now(),
  });
  return { items: page.items.map(actionView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

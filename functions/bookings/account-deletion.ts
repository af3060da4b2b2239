/**
 * When a person deletes their account (AccountDeletionRequested), every appointment of theirs
 * that has not started and still holds its time is cancelled by the platform: those they booked
 * as a client, and their agenda from now on as a practitioner (their clients' cancellation is
 * free, as every cancellation not made by the client). Each goes through the domain's `cancel`
 * and the store's versioned `change`, so the slot is freed and the outbox announces
 * BookingCancelled (cancelledBy 'platform'). Past appointments stay: they are kept 5 years from
 * their date, like any other.
 *
 * Idempotent: a second delivery finds nothing left to cancel and changes nothing.
 */
import type { Clock } from '#shared/clock.ts';
import type { AppointmentStore } from './adapters/appointment-store.ts';
import { type Appointment, cancel, holdsItsTime, TransitionRefused } from './domain/appointment.ts';

export interface AccountDeletionDeps {
  readonly store: Pick<AppointmentStore, 'listForPractitioner' | 'listForClient' | 'find' | 'change'>;
  readonly clock: Clock;
}

const endOfTime = new Date('9999-12-31T23:59:59.999Z');
const CANCEL_ATTEMPTS = 5;

async function upcomingAsClient(deps: AccountDeletionDeps, accountId: string, now: Date) {
  const found: Appointment[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.listForClient(accountId, {
      limit: 100,
      from: now,
      ...(cursor ? { cursor } : {}),
      now,
    });
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return found;
}

/** Cancels one appointment by the platform, reading it again when it changed meanwhile. */
async function cancelByPlatform(deps: AccountDeletionDeps, id: string, now: Date): Promise<boolean> {
  for (let attempt = 0; attempt < CANCEL_ATTEMPTS; attempt++) {
    const current = await deps.store.find(id, now);
    if (!current || !holdsItsTime(current) || current.start.getTime() <= now.getTime()) return false;
    let next: Appointment;
    try {
      next = cancel(current, 'platform', now);
    } catch (error) {
      if (error instanceof TransitionRefused) return false;
      throw error;
    }
    const outcome = await deps.store.change(current, next, now);
    if (outcome.kind === 'changed') return true;
  }
  // Still changing after every attempt: thrown, so the event is delivered again.
  throw new Error('An appointment kept changing while it was being cancelled');
}

export async function cancelAppointmentsOfDeletedAccount(deps: AccountDeletionDeps, accountId: string) {
  const now = deps.clock.now();
  const [asClient, asPractitioner] = await Promise.all([
    upcomingAsClient(deps, accountId, now),
    deps.store.listForPractitioner(accountId, { from: now, to: endOfTime }, now),
  ]);
  const candidates = new Map<string, Appointment>();
  for (const a of [...asClient, ...asPractitioner]) if (holdsItsTime(a)) candidates.set(a.id, a);
  let cancelled = 0;
  for (const id of candidates.keys()) if (await cancelByPlatform(deps, id, now)) cancelled++;
  return { asClient: asClient.length, asPractitioner: asPractitioner.length, cancelled };
}

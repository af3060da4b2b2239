/**
 * What a committed change of an appointment means, as events: read from the table's stream (the
 * outbox) as the item before and after the change. Pure: no AWS, no I/O.
 */
import type { Appointment } from './appointment.ts';

export type BookingChange =
  | { readonly type: 'BookingRequested' | 'BookingConfirmed' | 'BookingRescheduled' }
  | { readonly type: 'BookingCompleted' | 'BookingNoShow' }
  | {
      readonly type: 'BookingCancelled';
      readonly cancelledBy: 'client' | 'practitioner' | 'platform';
      readonly late: boolean;
      readonly feePercent: number;
    };

type Snapshot = Pick<Appointment, 'state' | 'start' | 'version' | 'cancellation'>;

/** The events of one change, in the order they happened; none when nothing a party cares about changed. */
export function changesOf(before: Snapshot | undefined, after: Snapshot): BookingChange[] {
  if (before && after.version <= before.version) return [];
  const changes: BookingChange[] = [];
  if (!before) changes.push({ type: 'BookingRequested' });
  const stateChanged = before?.state !== after.state;
  if (before && before.start.getTime() !== after.start.getTime()) changes.push({ type: 'BookingRescheduled' });
  if (stateChanged) {
    if (after.state === 'confirmed') changes.push({ type: 'BookingConfirmed' });
    if (after.state === 'completed') changes.push({ type: 'BookingCompleted' });
    if (after.state === 'no-show') changes.push({ type: 'BookingNoShow' });
    if (after.state === 'cancelled')
      changes.push({
        type: 'BookingCancelled',
        cancelledBy: after.cancellation?.by ?? 'platform',
        late: after.cancellation?.late ?? false,
        feePercent: after.cancellation?.feePercent ?? 0,
      });
  }
  return changes;
}

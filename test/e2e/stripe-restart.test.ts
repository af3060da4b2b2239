/**
 * `npm start` restarted on the same MPBE_DATA_DIR keeps the payments: a booking paid in the first
 * run and cancelled in time in the second is refunded whole, because the Stripe emulator's state
 * (PaymentIntents, connected accounts, balances) is kept in the folder with DynamoDB's and
 * Cognito's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAs } from '../support/bookings.ts';
import { type CloudProcess, startCloudProcess } from '../support/cloud-process.ts';
import { type Person, signedInPerson, signInAgain } from '../support/identity.ts';
import { type BookingView, emulator, eventually, heldBooking, onboardedAgenda } from '../support/payments.ts';

const dir = mkdtempSync(join(tmpdir(), 'mpbe-stripe-restart-'));
const IP = '127.0.0.98';
const started: CloudProcess[] = [];
afterAll(async () => {
  for (const running of started) await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string): Promise<CloudProcess> {
  const running = await startCloudProcess(dir, name, join(dir, 'data'));
  started.push(running);
  return running;
}

describe('the Stripe emulator across a restart', () => {
  it('refunds, after a restart, a booking paid before it', { timeout: 180_000 }, async () => {
    const first = await start('first');
    let client: Person;
    let booked: Awaited<ReturnType<typeof heldBooking>>;
    {
      const { cloud } = first;
      let practitioner: Person;
      [practitioner, client] = await Promise.all([
        signedInPerson(cloud, 'practitioner'),
        signedInPerson(cloud, 'client'),
      ]);
      const agenda = await onboardedAgenda(cloud, IP, practitioner);
      booked = await heldBooking(cloud, IP, client, agenda, 20);
      await emulator(cloud).pay(booked.checkout.paymentIntentId);
      await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
    }
    expect(await first.stop()).toBe(0);

    const second = await start('second');
    const { cloud } = second;
    client = await signInAgain(cloud, client);
    const cancelled = await callAs(cloud, IP, client, 'POST', `/bookings/${booked.id}/cancel`);
    expect(cancelled.status).toBe(200);
    const refunded = await eventually<BookingView>(
      cloud,
      IP,
      client,
      `/bookings/${booked.id}`,
      (a) =>
        a.payment?.refundedCents === booked.checkout.amountCents &&
        a.payment.refunds.every((r) => r.status === 'succeeded'),
      60_000,
    );
    expect(refunded.state).toBe('cancelled');
    expect(await second.stop()).toBe(0);
  });
});

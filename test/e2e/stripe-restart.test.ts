/**
 * `npm start` restarted on the same MPBE_DATA_DIR keeps the payments: a booking paid in the first
 * run and cancelled in time in the second is refunded whole, because the Stripe emulator's state
 * (PaymentIntents, connected accounts, balances) is kept in the folder with DynamoDB's and
 * Cognito's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callAs } from '../support/bookings.ts';
import { callFrom } from '../support/http.ts';
import { type Person, signedInPerson, signInAgain } from '../support/identity.ts';
import type { CloudInfo } from '../support/local-cloud.ts';
import { type BookingView, eventually, heldBooking, onboardedAgenda } from '../support/payments.ts';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'mpbe-stripe-restart-'));
const IP = '127.0.0.98';
const running: ChildProcess[] = [];
afterAll(async () => {
  for (const child of running) {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string): Promise<{ child: ChildProcess; cloud: CloudInfo }> {
  const readyFile = join(dir, `${name}.json`);
  const ports = Object.fromEntries(
    ['API', 'AWS', 'DYNAMODB', 'SES', 'COGNITO', 'STRIPE'].map((p) => [`MPBE_${p}_PORT`, '0']),
  );
  const child = spawn(process.execPath, [join(root, 'local/main.ts')], {
    cwd: root,
    env: { ...process.env, ...ports, MPBE_DATA_DIR: join(dir, 'data'), MPBE_READY_FILE: readyFile, MPBE_QUIET: '1' },
    stdio: 'ignore',
  });
  running.push(child);
  const deadline = Date.now() + 60_000;
  while (!existsSync(readyFile)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`local cloud ${name} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const ready = JSON.parse(readFileSync(readyFile, 'utf8')) as Omit<CloudInfo, 'logFile'>;
  return { child, cloud: { ...ready, logFile: join(dir, `${name}.log`) } };
}

async function stop(child: ChildProcess): Promise<void> {
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
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
      const paid = await callFrom(
        '127.0.0.1',
        `${cloud.urls.stripe}/_emulator/payment_intents/${booked.checkout.paymentIntentId}/succeed`,
        { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' },
      );
      expect(paid.status).toBe(200);
      await eventually<BookingView>(cloud, IP, client, `/bookings/${booked.id}`, (a) => a.state === 'confirmed');
    }
    await stop(first.child);

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
    await stop(second.child);
  });
});

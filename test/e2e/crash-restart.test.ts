/**
 * What the API answered before a crash is still there after it: a booking answered 201, then the
 * whole local cloud killed at once (SIGKILL to its process group: DynamoDB Local's JVM, the
 * emulators, the gateway, as a power cut would), then `npm start` again on the same
 * MPBE_DATA_DIR: the booking, its account and its profile are there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { book, callAs, freeSlots, openAgenda, parisDate } from '../support/bookings.ts';
import { type CloudProcess, startCloudProcess } from '../support/cloud-process.ts';
import { signedInPerson, signInAgain } from '../support/identity.ts';

const dir = mkdtempSync(join(tmpdir(), 'mpbe-crash-'));
const IP = '127.0.0.97';
const started: CloudProcess[] = [];
afterAll(async () => {
  for (const running of started) await running.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function start(name: string): Promise<CloudProcess> {
  const running = await startCloudProcess(dir, name, join(dir, 'data'));
  started.push(running);
  return running;
}

describe('a crash of the local cloud', () => {
  it('loses nothing the API had answered', { timeout: 180_000 }, async () => {
    const first = await start('first');
    const [practitioner, client] = await Promise.all([
      signedInPerson(first.cloud, 'practitioner'),
      signedInPerson(first.cloud, 'client'),
    ]);
    const agenda = await openAgenda(first.cloud, IP, practitioner);
    const [slot] = await freeSlots(first.cloud, IP, agenda, parisDate(3), parisDate(4));
    const booked = await book(first.cloud, IP, client, agenda, slot!.start);
    expect(booked.status).toBe(201);
    const { id } = JSON.parse(booked.body) as { id: string };
    await first.kill();

    const second = await start('second');
    const again = await signInAgain(second.cloud, client);
    const read = await callAs(second.cloud, IP, again, 'GET', `/bookings/${id}`);
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({ id, start: slot!.start, practitionerId: agenda.practitionerId });
    const profile = await callAs(second.cloud, IP, undefined, 'GET', `/practitioners/${agenda.practitionerId}`);
    expect(profile.status).toBe(200);
    await second.stop();
  });
});

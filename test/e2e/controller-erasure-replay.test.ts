/**
 * A practitioner's erasure of a client's appointments survives a backup restore: the erased keys
 * (the appointment, what its partition held, its slot locks) reach the retention engine's erasure
 * log through ClientAppointmentsErased, and `npm run replay-erasures` deletes them again once a
 * point-in-time restore has put them back.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, expect, inject, it } from 'vitest';
import { book, callAs, freeSlots, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, slotLocksOf, tableNamesFrom } from '../support/dynamo.ts';
import { signedInPerson } from '../support/identity.ts';
import { waitForMail } from '../support/mail.ts';

const cloud = inject('cloud');
// Its own loopback address: these calls don't eat into other tests' rate limits.
const IP = '127.0.0.99';
const db = localDocumentClient(cloud.urls.dynamodb);
const names = tableNamesFrom(cloud.env);
afterAll(() => db.destroy());

it('logs the keys a practitioner erased and erases them again after a restore', async () => {
  const [practitioner, client] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
  ]);
  const agenda = await openAgenda(cloud, IP, practitioner);
  const slot = (await freeSlots(cloud, IP, agenda, parisDate(3), parisDate(3)))[0]!;
  const booked = JSON.parse((await book(cloud, IP, client, agenda, slot.start)).body) as { id: string };
  const key = { pk: `APPOINTMENT#${booked.id}`, sk: 'APPOINTMENT' };
  const { Item: appointment } = await db.send(new GetCommand({ TableName: names.bookings, Key: key }));
  const locks = await slotLocksOf(db, names.bookings, agenda.practitionerId);
  expect(locks).toHaveLength(12);
  // The confirmation notices are out (their receipts are in the appointment's partition) before
  // the erasure: nothing about this appointment is still being written when it is erased.
  for (const person of [client, practitioner])
    await waitForMail(cloud.urls.mailStore, (m) => m.destination.to.includes(person.email), 20_000);
  const erasedAt = new Date(Date.now() - 1000).toISOString();

  const erased = await callAs(
    cloud,
    IP,
    practitioner,
    'DELETE',
    `/practitioners/me/clients/${client.accountId}/appointments`,
  );
  expect(erased.status).toBe(200);
  const { actionId } = JSON.parse(erased.body) as { actionId: string };
  expect(await slotLocksOf(db, names.bookings, agenda.practitionerId)).toEqual([]);

  // The erasure log (retention table, never restored) gets every key, through the bus.
  const day = new Date().toISOString().slice(0, 10);
  const deadline = Date.now() + 20_000;
  let logged: Record<string, unknown>[] = [];
  while (Date.now() < deadline) {
    const page = await db.send(
      new QueryCommand({
        TableName: names.retention,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `ERASURE-LOG#${day}` },
      }),
    );
    logged = (page.Items ?? []).filter((i) => i.erasureId === actionId);
    if (logged.length >= 1 + locks.length) break;
    await new Promise((r) => setTimeout(r, 150));
  }
  expect(logged.length).toBeGreaterThanOrEqual(1 + locks.length);

  // A point-in-time restore brings the appointment and its locks back; the replay erases them again.
  await db.send(new PutCommand({ TableName: names.bookings, Item: appointment! }));
  for (const lock of locks) await db.send(new PutCommand({ TableName: names.bookings, Item: lock }));
  const replay = await promisify(execFile)(process.execPath, ['local/replay-erasures-cli.ts', '--since', erasedAt], {
    cwd: join(import.meta.dirname, '..', '..'),
    env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: cloud.urls.dynamodb },
  });
  // At least what was restored. Here the restore is a Put into the live table, so the outbox sees
  // it as a new appointment and may notify again (new receipts, logged keys too); a real restore
  // makes a new table whose stream starts after the data is there.
  const deletedAgain = Number(/items deleted again\s+(\d+)/.exec(replay.stdout)?.[1]);
  expect(deletedAgain).toBeGreaterThanOrEqual(1 + locks.length);
  expect((await db.send(new GetCommand({ TableName: names.bookings, Key: key }))).Item).toBeUndefined();
  expect(await slotLocksOf(db, names.bookings, agenda.practitionerId)).toEqual([]);
}, 90_000);

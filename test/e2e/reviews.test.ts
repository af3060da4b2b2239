/**
 * Reviews end to end (ADR 0015): a completed appointment invites its client (BookingCompleted →
 * the invitation), the client reviews it once, a moderator claims and accepts it, the public list
 * shows it and the profile's summary counts it; someone reports it, a moderator masks its text
 * with reasons (mails to the author and the reporter), the author appeals and another moderator
 * reverses the decision. A refusal mails the author its reason; nobody else may review the
 * appointment, a practitioner may not moderate, a moderator does not write a review's text.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { REFUSAL_REASONS } from '#functions/reviews/domain/moderation.ts';
import { RESTRICTED_NOTE } from '#functions/reviews/review-use-cases.ts';
import { book, callAs, freeSlots, type OpenAgenda, openAgenda, parisDate } from '../support/bookings.ts';
import { localDocumentClient, slotLocksOf, tableNamesFrom } from '../support/dynamo.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { waitForMail } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
const IP = '127.0.0.113';
const db = localDocumentClient(cloud.urls.dynamodb);
afterAll(() => db.destroy());

let practitioner: Person;
let client: Person;
let stranger: Person;
let moderator: Person;
let otherModerator: Person;
let agenda: OpenAgenda;
const slots: string[] = [];

beforeAll(async () => {
  [practitioner, client, stranger, moderator, otherModerator] = await Promise.all([
    signedInPerson(cloud, 'practitioner'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'client'),
    signedInPerson(cloud, 'moderator'),
    signedInPerson(cloud, 'moderator'),
  ]);
  agenda = await openAgenda(cloud, IP, practitioner);
  const day = parisDate(3);
  slots.push(...(await freeSlots(cloud, IP, agenda, day, day)).map((s) => s.start));
}, 60_000);

/**
 * The client books a slot and the appointment takes place: it is moved into the past in the table
 * with its slot locks (the local cloud has no clock to travel), then the practitioner completes it.
 */
async function completedAppointment(daysAgo: number): Promise<string> {
  const slot = slots.shift()!;
  const booked = await book(cloud, IP, client, agenda, slot);
  expect(booked.status).toBe(201);
  const appointmentId = (JSON.parse(booked.body) as { id: string }).id;
  // Whole days back (the slot is 3 to 4 days ahead): its slot locks move with it, on the same grid.
  const shift = (4 + daysAgo) * 86_400_000;
  const start = new Date(Date.parse(slot) - shift);
  const { bookings } = tableNamesFrom(cloud.env);
  for (const lock of await slotLocksOf(db, bookings, agenda.practitionerId)) {
    if (lock.appointmentId !== appointmentId) continue;
    const block = Number(String(lock.pk).split('#').at(-1)) - shift / 60_000;
    await db.send(
      new PutCommand({ TableName: bookings, Item: { ...lock, pk: `SLOT#${agenda.practitionerId}#${block}` } }),
    );
    await db.send(new DeleteCommand({ TableName: bookings, Key: { pk: lock.pk, sk: lock.sk } }));
  }
  await db.send(
    new UpdateCommand({
      TableName: bookings,
      Key: { pk: `APPOINTMENT#${appointmentId}`, sk: 'APPOINTMENT' },
      UpdateExpression: 'SET #start = :start, #end = :end',
      ExpressionAttributeNames: { '#start': 'start', '#end': 'end' },
      ExpressionAttributeValues: {
        ':start': start.toISOString(),
        ':end': new Date(start.getTime() + 3_600_000).toISOString(),
      },
    }),
  );
  const completed = await callAs(cloud, IP, practitioner, 'POST', `/bookings/${appointmentId}/complete`);
  expect(completed.status, completed.body).toBe(200);
  return appointmentId;
}

const text = 'Séance très apaisante, praticienne à l’écoute. Je recommande.';

/** The client's review, once the invitation (from BookingCompleted, through the bus) is there. */
async function submitted(appointmentId: string, rating: number) {
  await until('the review invitation', async () => {
    const { Item } = await db.send(
      new GetCommand({
        TableName: tableNamesFrom(cloud.env).reviews,
        Key: { pk: `APPOINTMENT#${appointmentId}`, sk: 'INVITATION' },
      }),
    );
    return Item;
  });
  const reply = await callAs(cloud, IP, client, 'POST', '/reviews', { appointmentId, rating, text });
  expect(reply.status, reply.body).toBe(201);
  return JSON.parse(reply.body) as { id: string; state: string; authorName: string };
}

async function claim(reviewId: string) {
  const claimed = await callAs(cloud, IP, moderator, 'POST', `/moderation/queue/review/${reviewId}/claim`);
  expect(claimed.status, claimed.body).toBe(200);
}

describe('reviews', () => {
  it('a completed appointment is reviewed once by its client, moderated, then listed publicly', async () => {
    const appointmentId = await completedAppointment(2);
    const review = await submitted(appointmentId, 5);
    expect(review).toMatchObject({ state: 'pending', authorName: 'Test P.' });

    // Nobody else reviews it; the client only once.
    expect((await callAs(cloud, IP, stranger, 'POST', '/reviews', { appointmentId, rating: 1, text })).status).toBe(
      404,
    );
    expect((await callAs(cloud, IP, practitioner, 'POST', '/reviews', { appointmentId, rating: 5, text })).status).toBe(
      403,
    );
    expect((await callAs(cloud, IP, client, 'POST', '/reviews', { appointmentId, rating: 4, text })).status).toBe(409);

    // Not public before a moderator accepts it.
    const list = `/practitioners/${agenda.practitionerId}/reviews`;
    expect(JSON.parse((await callAs(cloud, IP, undefined, 'GET', list)).body).items).toEqual([]);

    // A practitioner may not moderate; a moderator decides on their own live claim only.
    const decision = `/moderation/reviews/${review.id}/decision`;
    expect((await callAs(cloud, IP, practitioner, 'POST', decision, { outcome: 'accept' })).status).toBe(403);
    expect((await callAs(cloud, IP, moderator, 'POST', decision, { outcome: 'accept' })).status).toBe(409);
    // A moderator decides; they do not write the text: not through the decision, not as its author.
    expect((await callAs(cloud, IP, moderator, 'POST', decision, { outcome: 'accept', text })).status).toBe(400);
    expect((await callAs(cloud, IP, moderator, 'PATCH', `/reviews/${review.id}`, { rating: 1, text })).status).toBe(
      404,
    );
    await claim(review.id);
    const accepted = await callAs(cloud, IP, moderator, 'POST', decision, { outcome: 'accept' });
    expect(accepted.status, accepted.body).toBe(200);
    expect(JSON.parse(accepted.body)).toMatchObject({ outcome: 'accept', state: 'published' });

    const listed = await callAs(cloud, IP, undefined, 'GET', list);
    expect(listed.status).toBe(200);
    expect(listed.headers['cache-control']).toContain('public');
    const [item] = JSON.parse(listed.body).items;
    expect(item).toMatchObject({
      id: review.id,
      rating: 5,
      text,
      author: 'Test P.',
      verified: true,
      verification: 'avis vérifié : rendez-vous honoré',
    });
    expect(JSON.stringify(item)).not.toContain(client.accountId);

    // The practitioner's reply is shown once accepted.
    const put = await callAs(cloud, IP, practitioner, 'PUT', `/reviews/${review.id}/reply`, { text: 'Merci Test !' });
    expect(put.status, put.body).toBe(200);
    expect(
      JSON.parse((await callAs(cloud, IP, undefined, 'GET', `${list}?limit=5`)).body).items[0].reply,
    ).toBeUndefined();
    expect((await callAs(cloud, IP, moderator, 'POST', `/moderation/queue/reply/${review.id}/claim`)).status).toBe(200);
    const replyDecision = `/moderation/replies/${review.id}/decision`;
    expect((await callAs(cloud, IP, moderator, 'POST', replyDecision, { outcome: 'accept' })).status).toBe(200);
    const withReply = JSON.parse((await callAs(cloud, IP, undefined, 'GET', `${list}?limit=5`)).body).items[0];
    expect(withReply.reply).toMatchObject({ text: 'Merci Test !' });

    // The profile's summary follows the review's events (through the bus).
    const profile = `/practitioners/${agenda.practitionerId}`;
    const summary = await until('the summary', async () => {
      const { reviews } = JSON.parse((await callAs(cloud, IP, undefined, 'GET', profile)).body);
      return reviews?.count === 1 ? reviews : undefined;
    });
    expect(summary).toMatchObject({ count: 1, average: 5, distribution: { 5: 1, 1: 0 } });

    // Reported by someone else (acknowledged by mail); a moderator masks its text with reasons
    // (mailed to the author) and tells the reporter the outcome; the author appeals and another
    // moderator (not the first) reverses it.
    const filed = await callAs(cloud, IP, stranger, 'POST', `/reviews/${review.id}/reports`, {
      reason: 'abusive',
      explanation: 'Des propos que je trouve injurieux.',
    });
    expect(filed.status, filed.body).toBe(201);
    const reportId = (JSON.parse(filed.body) as { id: string }).id;
    const mailed = (to: Person, subject: string) =>
      waitForMail(cloud.urls.mailStore, (m) => m.destination.to.includes(to.email) && m.subject === subject, 20_000);
    await mailed(stranger, 'Nous avons bien reçu votre signalement');
    expect((await callAs(cloud, IP, moderator, 'POST', `/moderation/queue/report/${reportId}/claim`)).status).toBe(200);
    const statement = 'Le texte met en cause la praticienne sans fait précis.';
    const decided = await callAs(cloud, IP, moderator, 'POST', `/moderation/reports/${reportId}/decision`, {
      outcome: 'restrict',
      statement,
      ground: 'abusive',
    });
    expect(decided.status, decided.body).toBe(200);
    expect((await mailed(client, 'Le texte de votre avis a été masqué')).body.text).toContain(statement);
    await mailed(stranger, 'Décision sur votre signalement');
    expect(JSON.parse((await callAs(cloud, IP, undefined, 'GET', list)).body).items[0]).toMatchObject({
      rating: 5,
      text: null,
      note: RESTRICTED_NOTE,
    });
    const appealed = await callAs(cloud, IP, client, 'POST', `/moderation/decisions/${reportId}/appeals`, {
      explanation: 'Mon avis relate ma séance, sans injure.',
    });
    expect(appealed.status, appealed.body).toBe(201);
    const appealId = (JSON.parse(appealed.body) as { id: string }).id;
    const decideAppeal = (who: Person) =>
      callAs(cloud, IP, who, 'POST', `/moderation/appeals/${appealId}/decision`, {
        outcome: 'reverse',
        statement: 'L’avis relate une expérience vécue, sans propos injurieux.',
      });
    expect((await decideAppeal(moderator)).status).toBe(403);
    const claimed = await callAs(cloud, IP, otherModerator, 'POST', `/moderation/queue/appeal/${appealId}/claim`);
    expect(claimed.status, claimed.body).toBe(200);
    const reversed = await decideAppeal(otherModerator);
    expect(reversed.status, reversed.body).toBe(200);
    await mailed(client, 'Votre recours est accepté');
    expect(JSON.parse((await callAs(cloud, IP, undefined, 'GET', list)).body).items[0].text).toBe(text);

    // Withdrawn, it is gone from the list at once.
    expect((await callAs(cloud, IP, stranger, 'DELETE', `/reviews/${review.id}`)).status).toBe(404);
    expect((await callAs(cloud, IP, client, 'DELETE', `/reviews/${review.id}`)).status).toBe(204);
    expect(JSON.parse((await callAs(cloud, IP, undefined, 'GET', `${list}?limit=6`)).body).items).toEqual([]);
  }, 90_000);

  it('a refused review is mailed to its author with the reason, and shown to them with it', async () => {
    const appointmentId = await completedAppointment(10);
    const review = await submitted(appointmentId, 1);
    await claim(review.id);
    const refused = await callAs(cloud, IP, moderator, 'POST', `/moderation/reviews/${review.id}/decision`, {
      outcome: 'refuse',
      reason: 'advertising',
    });
    expect(refused.status, refused.body).toBe(200);

    const mail = await waitForMail(
      cloud.urls.mailStore,
      (m) => m.destination.to.includes(client.email) && m.subject === 'Votre avis n’a pas été publié',
      20_000,
    );
    expect(mail.body.text).toContain(REFUSAL_REASONS.advertising);

    const mine = JSON.parse((await callAs(cloud, IP, client, 'GET', '/me/reviews')).body).items;
    expect(mine.find((r: { id: string }) => r.id === review.id)).toMatchObject({
      state: 'refused',
      refusal: { reason: 'advertising', label: REFUSAL_REASONS.advertising },
    });
  }, 90_000);
});

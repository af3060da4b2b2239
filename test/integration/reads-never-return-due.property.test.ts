/**
 * Property (issue 3): for any sequence of writes, legal holds and clock moves, no read returns
 * an item past its expiry (or past the expiry it had before a hold), and every item not yet due
 * is still returned. Against DynamoDB Local, through the real adapters: single-item reads
 * (contact requests) and paginated index queries (the practitioner listing).
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dynamoContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import { dynamoPractitionerStore } from '#functions/practitioners/adapters/practitioner-store.ts';
import { ensureTables } from '#local/services/dynamodb.ts';
import { defaultAvailability, defaultCancellationPolicy } from '#shared/offer/offer.ts';
import { localDocumentClient } from '../support/dynamo.ts';

const cloud = inject('cloud');
const client = localDocumentClient(cloud.urls.dynamodb);
afterAll(() => client.destroy());

const DAY = 86_400_000;
type Command =
  | { kind: 'contact'; daysAgo: number }
  | { kind: 'practitioner'; daysAgo: number }
  | { kind: 'hold'; index: number }
  | { kind: 'advance'; days: number; hours: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('contact' as const), daysAgo: fc.integer({ min: 0, max: 1200 }) }),
  fc.record({ kind: fc.constant('practitioner' as const), daysAgo: fc.integer({ min: 0, max: 2000 }) }),
  fc.record({ kind: fc.constant('hold' as const), index: fc.nat() }),
  fc.record({
    kind: fc.constant('advance' as const),
    days: fc.integer({ min: 0, max: 1500 }),
    hours: fc.integer({ min: 0, max: 23 }),
  }),
);

describe('reads never return what is due', () => {
  it('holds for any sequence of writes, holds and clock moves', { timeout: 180_000 }, async () => {
    const raw = async (table: string, pk: string, sk: string) =>
      (await client.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item as
        | { expiresAt?: number; heldExpiresAt?: number }
        | undefined;
    const dueAt = (item: { expiresAt?: number; heldExpiresAt?: number }, now: Date) =>
      [item.expiresAt, item.heldExpiresAt].some((e) => e !== undefined && e * 1000 <= now.getTime());

    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 12 }), async (commands) => {
        // fresh tables for each run, so the listing holds exactly this run's practitioners
        const names = await ensureTables(cloud.urls.dynamodb, `prop-${randomUUID().slice(0, 8)}-`);
        const contacts = dynamoContactRequestStore({ client, tableName: names.TABLE_CONTACT! });
        const practitioners = dynamoPractitionerStore({ client, tableName: names.TABLE_PRACTITIONERS! });
        let now = new Date('2026-11-26T12:00:00Z');
        const contactIds: string[] = [];
        const practitionerIds: string[] = [];
        for (const c of commands) {
          if (c.kind === 'advance') now = new Date(now.getTime() + c.days * DAY + c.hours * 3_600_000);
          if (c.kind === 'contact') {
            const id = `contact_${randomUUID().replaceAll('-', '')}`;
            const receivedAt = new Date(now.getTime() - c.daysAgo * DAY);
            await contacts.add({
              id,
              name: 'N',
              email: 'n@example.test',
              subject: 's',
              message: 'message',
              receivedAt,
            });
            contactIds.push(id);
          }
          if (c.kind === 'practitioner') {
            const id = `prac_${randomUUID().replaceAll('-', '')}`;
            const lastActivityAt = new Date(now.getTime() - c.daysAgo * DAY);
            await practitioners.save({
              id,
              displayName: `P ${id}`,
              headline: 'h',
              presentation: '',
              specialties: ['yoga'],
              places: [],
              offersVideo: false,
              services: [],
              availability: defaultAvailability,
              cancellationPolicy: defaultCancellationPolicy,
              published: true,
              lastActivityAt,
            });
            practitionerIds.push(id);
          }
          if (c.kind === 'hold' && contactIds.length > 0) {
            const id = contactIds[c.index % contactIds.length]!;
            await client
              .send(
                new UpdateCommand({
                  TableName: names.TABLE_CONTACT!,
                  Key: { pk: `CONTACT#${id}`, sk: 'REQUEST' },
                  UpdateExpression: 'SET heldExpiresAt = expiresAt REMOVE expiresAt, expiryDay',
                  ConditionExpression: 'attribute_exists(expiresAt)',
                }),
              )
              .catch(() => undefined);
          }

          for (const id of contactIds) {
            const stored = (await raw(names.TABLE_CONTACT!, `CONTACT#${id}`, 'REQUEST'))!;
            const read = await contacts.get(id, now);
            expect(read === undefined, `contact ${id} at ${now.toISOString()}`).toBe(dueAt(stored, now));
          }
          const listed = new Set<string>();
          let cursor: string | undefined;
          do {
            const page = await practitioners.listPublished({ limit: 4, now, ...(cursor ? { cursor } : {}) });
            for (const p of page.items) listed.add(p.id);
            cursor = page.nextCursor;
          } while (cursor);
          expect([...listed].every((id) => practitionerIds.includes(id))).toBe(true);
          for (const id of practitionerIds) {
            const stored = (await raw(names.TABLE_PRACTITIONERS!, `PRACTITIONER#${id}`, 'PROFILE'))!;
            expect(listed.has(id), `practitioner ${id} at ${now.toISOString()}`).toBe(!dueAt(stored, now));
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

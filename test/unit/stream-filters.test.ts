/** Which stream records reach which consumer: the rule the local poller applies and AWS's filter states. */
import { describe, expect, it } from 'vitest';
import { consumerAccepts, streamConsumers } from '#functions/streams.ts';

const consumer = (name: string) => streamConsumers.find((c) => c.name === name)!;
const record = (eventName: string, entity?: string) => ({
  eventName,
  dynamodb: { SequenceNumber: '1', ...(entity ? { NewImage: { entity: { S: entity } } } : {}) },
});

describe('stream consumer filters', () => {
  it('gives the bookings outbox the inserts and changes of appointments only', () => {
    const outbox = consumer('bookings-outbox');
    expect(consumerAccepts(outbox, record('INSERT', 'appointment'))).toBe(true);
    expect(consumerAccepts(outbox, record('MODIFY', 'appointment'))).toBe(true);
    for (const other of ['slot-lock', 'notification-receipt', 'payment-record', 'stripe-event-receipt'])
      expect(consumerAccepts(outbox, record('INSERT', other)), other).toBe(false);
    expect(consumerAccepts(outbox, record('REMOVE', 'appointment'))).toBe(false);
    expect(consumerAccepts(outbox, record('INSERT'))).toBe(false);
  });

  it('gives the deletion audit every removal, whatever its entity', () => {
    const audit = consumer('retention-deletion-audit');
    expect(consumerAccepts(audit, record('REMOVE'))).toBe(true);
    expect(consumerAccepts(audit, record('REMOVE', 'slot-lock'))).toBe(true);
    expect(consumerAccepts(audit, record('INSERT', 'appointment'))).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import type { ContactRequestStore } from '#functions/contact/adapters/contact-request-store.ts';
import type { ContactRequest } from '#functions/contact/domain/contact-request.ts';
import { platformInboxMail } from '#functions/contact/domain/contact-request.ts';
import { notifyPlatformInbox, submitContactRequest } from '#functions/contact/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { EventPublisher } from '#shared/events/publisher.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import type { Mail } from '#shared/mail/mail.ts';

const input = {
  name: 'Alice Martin',
  email: 'alice@example.test',
  subject: 'Question',
  message: 'Bonjour, comment réserver ?',
};

function memoryStore(): ContactRequestStore & { items: Map<string, ContactRequest> } {
  const items = new Map<string, ContactRequest>();
  return {
    items,
    async add(r) {
      items.set(r.id, r);
    },
    async get(id) {
      return items.get(id);
    },
    async markNotified(id, at) {
      const r = items.get(id);
      if (!r || r.notifiedAt) return false;
      items.set(id, { ...r, notifiedAt: at });
      return true;
    },
  };
}

function recordingPublisher(fail = false): EventPublisher & { published: unknown[] } {
  const published: unknown[] = [];
  return {
    published,
    async publish(contract, data) {
      if (fail) throw new Error('bus down');
      published.push({ detailType: contract.detailType, data });
      return 'evt_1';
    },
  };
}

function recordingMailer(sent: Mail[]) {
  return {
    async send(mail: Mail) {
      sent.push(mail);
      return { messageId: 'm' };
    },
  };
}

describe('contact use cases', () => {
  const clock = manualClock('2026-11-26T10:00:00Z');

  it('stores the request and announces it with its identifier only', async () => {
    const store = memoryStore();
    const events = recordingPublisher();
    const result = await submitContactRequest({ store, events, clock }, input, 'corr-1');
    expect(result.receivedAt).toBe('2026-11-26T10:00:00.000Z');
    expect(store.items.get(result.id)).toMatchObject({ ...input, receivedAt: clock.now() });
    expect(events.published).toEqual([{ detailType: 'ContactRequestReceived', data: { contactRequestId: result.id } }]);
    expect(JSON.stringify(events.published)).not.toContain('alice');
  });

  it('keeps the stored request and answers 503 when the bus refuses the event', async () => {
    const store = memoryStore();
    const error = await submitContactRequest({ store, events: recordingPublisher(true), clock }, input, 'c').catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(HttpProblem);
    expect((error as HttpProblem).status).toBe(503);
    expect((error as HttpProblem).message).not.toContain('alice');
    expect(store.items.size).toBe(1);
  });

  it('emails the platform inbox once, even when the event comes twice', async () => {
    const store = memoryStore();
    const sent: Mail[] = [];
    const mailer = recordingMailer(sent);
    const { id } = await submitContactRequest({ store, events: recordingPublisher(), clock }, input, 'c');
    const deps = { store, mailer, clock, platformInbox: 'contact@monprodubienetre.fr' };
    expect(await notifyPlatformInbox(deps, id)).toBe('sent');
    expect(await notifyPlatformInbox(deps, id)).toBe('already-sent');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ['contact@monprodubienetre.fr'], replyTo: ['alice@example.test'] });
  });

  it('sends nothing for a request that is gone (erased or past retention)', async () => {
    const sent: Mail[] = [];
    const deps = {
      store: memoryStore(),
      mailer: recordingMailer(sent),
      clock,
      platformInbox: 'x@y.z',
    };
    expect(await notifyPlatformInbox(deps, 'contact_0123456789')).toBe('gone');
    expect(sent).toHaveLength(0);
  });

  it('writes the inbox mail in French with the request and its retention', () => {
    const mail = platformInboxMail(
      { id: 'contact_abc123', ...input, phone: '06 12 34 56 78', receivedAt: new Date('2026-03-29T08:30:00Z') },
      'contact@monprodubienetre.fr',
    );
    expect(mail.subject).toBe('[Contact] Question');
    expect(mail.text).toContain('Référence : contact_abc123');
    expect(mail.text).toContain('10:30'); // 08:30 UTC is 10:30 in Paris after the March DST change
    expect(mail.text).toContain('Téléphone : 06 12 34 56 78');
    expect(mail.text).toContain('conservée 3 ans');
  });
});

/** The messaging context's pure rules (ADR 0016): ids, who may write, what each party sees, the mail. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Conversation,
  conversationIdFor,
  DELETED_PARTY_NAME,
  messageViewFor,
  refusalToSend,
  sideOf,
  viewFor,
} from '#functions/messaging/domain/conversation.ts';
import { newMessageMail } from '#functions/messaging/domain/message-mail.ts';
import { newMessageId } from '#functions/messaging/use-cases.ts';

const base: Conversation = {
  id: conversationIdFor('client-1', 'practitioner-1'),
  clientId: 'client-1',
  practitionerId: 'practitioner-1',
  names: { client: 'Zoé M.', practitioner: 'Camille P.' },
  deleted: { client: false, practitioner: false },
  openedAt: new Date('2031-01-10T10:00:00Z'),
  unread: { client: 2, practitioner: 0 },
  notified: { client: true, practitioner: false },
  blockedBy: { client: false, practitioner: false },
};

describe('conversation ids', () => {
  it('are the same for the same pair, differ for another, and reveal neither account', () => {
    expect(conversationIdFor('a', 'b')).toBe(conversationIdFor('a', 'b'));
    expect(conversationIdFor('a', 'b')).not.toBe(conversationIdFor('b', 'a'));
    expect(base.id).toMatch(/^cnv_[0-9a-f]{32}$/);
    expect(base.id).not.toContain('client');
  });
});

describe('message ids', () => {
  it('sort as the messages were sent', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 44 }), fc.integer({ min: 1, max: 10_000 }), (at, later) => {
        const first = newMessageId(new Date(at));
        const second = newMessageId(new Date(at + later));
        expect(first).toMatch(/^msg_[0-9a-f]{32}$/);
        expect(first < second).toBe(true);
      }),
    );
  });
});

describe('who may write', () => {
  it('both parties of an open conversation; nobody once blocked, closed or a party deleted', () => {
    expect(sideOf(base, 'client-1')).toBe('client');
    expect(sideOf(base, 'practitioner-1')).toBe('practitioner');
    expect(sideOf(base, 'someone-else')).toBeUndefined();
    expect(refusalToSend(base, 'client')).toBeUndefined();
    const blocked = { ...base, blockedBy: { client: false, practitioner: true } };
    expect(refusalToSend(blocked, 'client')).toBe('blocked');
    expect(refusalToSend(blocked, 'practitioner')).toBe('blocked');
    expect(refusalToSend({ ...base, closedAt: new Date() }, 'client')).toBe('closed');
    expect(refusalToSend({ ...base, deleted: { client: true, practitioner: false } }, 'practitioner')).toBe(
      'party-deleted',
    );
  });
});

describe('what a party sees', () => {
  it('the other party, its own unread count and blocks, and "compte supprimé" for a deleted account', () => {
    expect(viewFor(base, 'client')).toMatchObject({
      otherParty: { side: 'practitioner', name: 'Camille P.', deleted: false },
      unreadCount: 2,
      canSend: true,
    });
    expect(viewFor(base, 'practitioner')).toMatchObject({ otherParty: { name: 'Zoé M.' }, unreadCount: 0 });
    const gone = {
      ...base,
      names: { client: undefined, practitioner: 'Camille P.' },
      deleted: { client: true, practitioner: false },
    };
    expect(viewFor(gone, 'practitioner')).toMatchObject({
      otherParty: { side: 'client', name: DELETED_PARTY_NAME, deleted: true },
      canSend: false,
    });
    const message = {
      id: newMessageId(new Date()),
      conversationId: base.id,
      senderId: 'client-1',
      from: 'client' as const,
      sentAt: new Date(),
      text: 'Bonjour',
    };
    expect(messageViewFor(message, 'client').from).toBe('me');
    expect(messageViewFor(message, 'practitioner').from).toBe('other');
  });
});

describe('the new-message mail', () => {
  it('is French, names no one and carries no text', () => {
    const mail = newMessageMail('camille@example.test', 'Camille', 'practitioner');
    expect(mail.subject).toBe('Nouveau message sur Mon Pro du Bien-Être');
    expect(mail.text).toContain('Bonjour Camille,');
    expect(mail.text).toContain('votre espace praticien');
    expect(mail.text).not.toMatch(/Zoé|message :/);
  });
});

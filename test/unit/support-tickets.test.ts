/**
 * Support tickets, the domain rules (ADR 0019): the states and who may write, the clock of a
 * ticket waiting for its opener (notice at day 23, closed at day 30, reset by any message), the
 * closure's audit entry (no text), the mails (French, never the ticket's text; the mediator for an
 * unresolved complaint only), the outbox's events (ids only), and a ticket that is someone else's.
 */
import { describe, expect, it } from 'vitest';
import { TicketAnswered, TicketClosed, TicketOpened } from '#events/catalogue.ts';
import type { Page, TicketStore } from '#functions/support/adapters/ticket-store.ts';
import { answeredMail, closedMail, closingSoonMail, openedMail } from '#functions/support/domain/mails.ts';
import {
  afterMessage,
  CLOSE_AFTER_DAYS,
  clockStep,
  closureOf,
  MAX_MESSAGES,
  NOTICE_AFTER_DAYS,
  namesMediator,
  noticeHorizon,
  openReport,
  openRequest,
  type RequestTicket,
  refusalToWrite,
  reportTicketIdFor,
  sentAtOf,
  staffTicketView,
  type Ticket,
  type TicketMessage,
  waitingClock,
} from '#functions/support/domain/ticket.ts';
import { eventOfImage } from '#functions/support/outbox.ts';
import {
  answerMyTicket,
  getMyTicket,
  openerRoleOf,
  runTicketClock,
  type SupportDeps,
} from '#functions/support/use-cases.ts';
import { manualClock } from '#shared/clock.ts';
import type { Mail } from '#shared/mail/mail.ts';

const DAY = 86_400_000;
const OPENER = '11111111-2222-4333-8444-555555555555';
const STAFF = '99999999-2222-4333-8444-555555555555';
const ID = `tkt_${'a'.repeat(32)}`;
const SECRET = 'Mon mot de passe est hunter2';
const at = new Date('2027-03-01T09:00:00Z');
const mediator = { name: 'Médiateur Test', address: '1 rue du Test, 75001 Paris' };

const opened = (category: 'question' | 'complaint' = 'question') =>
  openRequest({
    id: ID,
    category,
    subject: `Objet ${SECRET}`,
    text: SECRET,
    openerId: OPENER,
    openerRole: 'client',
    at,
  });

describe('a ticket’s states', () => {
  it('opens waiting for support, with its first message by its opener', () => {
    const { ticket, first } = opened();
    expect(ticket).toMatchObject({ status: 'waiting-for-support', messageCount: 1, openedAt: at });
    expect(ticket.waitingSince).toBeUndefined();
    expect(first).toMatchObject({ from: 'user', authorId: OPENER, text: SECRET, ticketId: ID });
    expect(first.id).toMatch(/^smg_[0-9a-f]{32}$/);
    expect(sentAtOf(first.id)).toEqual(at);
  });

  it('waits for its opener after support’s answer, for support after the opener’s', () => {
    const { ticket } = opened();
    const answered = afterMessage(ticket, 'support', new Date(at.getTime() + DAY));
    expect(answered).toMatchObject({ status: 'waiting-for-user', messageCount: 2 });
    expect(answered.waitingSince).toEqual(new Date(at.getTime() + DAY));
    const replied = afterMessage(
      { ...answered, noticeSentAt: new Date(at.getTime() + 24 * DAY) },
      'user',
      new Date(at.getTime() + 25 * DAY),
    );
    expect(replied).toMatchObject({ status: 'waiting-for-support', messageCount: 3 });
    expect(replied.waitingSince).toBeUndefined();
    expect(replied.noticeSentAt).toBeUndefined();
    // A second answer starts the 30 days again and forgets the notice of the first stretch.
    const again = afterMessage({ ...answered, noticeSentAt: at }, 'support', new Date(at.getTime() + 5 * DAY));
    expect(again.waitingSince).toEqual(new Date(at.getTime() + 5 * DAY));
    expect(again.noticeSentAt).toBeUndefined();
  });

  it('refuses a message in a message report (nobody to answer) and in a full thread', () => {
    const { ticket } = opened();
    expect(refusalToWrite(ticket)).toBeUndefined();
    expect(refusalToWrite({ ...ticket, messageCount: MAX_MESSAGES })).toBe('thread-full');
    const report = openReport(
      reportTicketIdFor('mrp_0123456789abcdef'),
      { reportId: 'mrp_0123456789abcdef', conversationId: 'cnv_x', messageId: 'msg_x', reason: 'spam' },
      at,
    );
    expect(refusalToWrite(report)).toBe('no-opener');
    expect(report).toMatchObject({ status: 'waiting-for-support', category: 'message-report', messageCount: 0 });
  });

  it('gives a message report one ticket id, whatever the deliveries', () => {
    expect(reportTicketIdFor('mrp_1')).toBe(reportTicketIdFor('mrp_1'));
    expect(reportTicketIdFor('mrp_1')).not.toBe(reportTicketIdFor('mrp_2'));
    expect(reportTicketIdFor('mrp_1')).toMatch(/^tkt_[0-9a-f]{32}$/);
  });
});

describe('the clock of a ticket waiting for its opener', () => {
  const waiting = afterMessage(opened().ticket, 'support', at);

  it('has no clock while it waits for support', () => {
    expect(waitingClock(opened().ticket)).toBeUndefined();
    expect(clockStep(opened().ticket, new Date(at.getTime() + 365 * DAY))).toBe('none');
  });

  it(`sends the notice at day ${NOTICE_AFTER_DAYS}, once, and closes at day ${CLOSE_AFTER_DAYS}`, () => {
    expect(NOTICE_AFTER_DAYS).toBe(23);
    expect(CLOSE_AFTER_DAYS).toBe(30);
    expect(waitingClock(waiting)).toEqual({
      noticeAt: new Date(at.getTime() + 23 * DAY),
      closeAt: new Date(at.getTime() + 30 * DAY),
    });
    expect(clockStep(waiting, new Date(at.getTime() + 23 * DAY - 1))).toBe('none');
    expect(clockStep(waiting, new Date(at.getTime() + 23 * DAY))).toBe('notice');
    const noticed = { ...waiting, noticeSentAt: new Date(at.getTime() + 23 * DAY) };
    expect(clockStep(noticed, new Date(at.getTime() + 29 * DAY))).toBe('none');
    expect(clockStep(noticed, new Date(at.getTime() + 30 * DAY - 1))).toBe('none');
    expect(clockStep(noticed, new Date(at.getTime() + 30 * DAY))).toBe('close');
    // A job that missed the notice still closes at day 30.
    expect(clockStep(waiting, new Date(at.getTime() + 31 * DAY))).toBe('close');
  });

  it('reads the index up to 23 days back: every ticket it may act on, and those only', () => {
    const now = new Date('2027-04-10T08:30:00Z');
    expect(noticeHorizon(now)).toEqual(new Date(now.getTime() - 23 * DAY));
    expect(clockStep({ ...waiting, waitingSince: noticeHorizon(now) }, now)).toBe('notice');
    expect(clockStep({ ...waiting, waitingSince: new Date(noticeHorizon(now).getTime() + 1) }, now)).toBe('none');
  });
});

describe('the closure', () => {
  it('keeps ids, times and the outcome, never the subject or a message', () => {
    const { ticket } = opened('complaint');
    const assigned: RequestTicket = { ...ticket, assigneeId: STAFF, assignedAt: at };
    const closure = closureOf(assigned, 'unresolved', new Date(at.getTime() + DAY), STAFF);
    expect(closure).toEqual({
      ticketId: ID,
      kind: 'request',
      category: 'complaint',
      outcome: 'unresolved',
      openedAt: at,
      closedAt: new Date(at.getTime() + DAY),
      closedBy: STAFF,
      assigneeId: STAFF,
      openerId: OPENER,
      messageCount: 1,
    });
    expect(JSON.stringify(closure)).not.toContain('hunter2');
    expect(closureOf(ticket, 'no-reply', at).closedBy).toBeUndefined();
  });

  it('names the mediator for a complaint closed unresolved, and only then', () => {
    expect(namesMediator('complaint', 'unresolved')).toBe(true);
    for (const [category, outcome] of [
      ['complaint', 'resolved'],
      ['complaint', 'no-reply'],
      ['question', 'unresolved'],
      ['payment', 'unresolved'],
    ] as const) {
      expect(namesMediator(category, outcome), `${category} ${outcome}`).toBe(false);
    }
  });
});

describe('the mails', () => {
  const all: Mail[] = [
    openedMail('a@example.test', 'Alice', { id: ID, category: 'complaint' }),
    answeredMail('a@example.test', 'Alice', { id: ID, autoCloseAt: new Date(at.getTime() + 30 * DAY) }),
    closingSoonMail('a@example.test', 'Alice', { id: ID, autoCloseAt: new Date(at.getTime() + 30 * DAY) }),
    closedMail('a@example.test', 'Alice', { id: ID, category: 'complaint', outcome: 'unresolved' }, mediator),
    closedMail('a@example.test', undefined, { id: ID, category: 'question', outcome: 'no-reply' }, mediator),
  ];

  it('are in French, to the opener, with the reference and never the ticket’s text', () => {
    for (const mail of all) {
      expect(mail.to).toEqual(['a@example.test']);
      expect(mail.text).toContain(ID);
      expect(mail.text).toContain('Bonjour');
      expect(mail.subject + mail.text).not.toContain('hunter2');
      expect(mail.html).toBeUndefined();
    }
    expect(all[0]!.text).toContain('réclamation (catégorie : Réclamation concernant un praticien)');
    expect(all[1]!.text).toContain('31 mars 2027');
    expect(all[2]!.text).toContain('depuis 23 jours');
    expect(all[4]!.text).toContain('depuis 30 jours');
  });

  it('name the configured mediator in an unresolved complaint’s closure only', () => {
    expect(all[3]!.text).toContain('Médiateur Test');
    expect(all[3]!.text).toContain('1 rue du Test, 75001 Paris');
    expect(all[3]!.text).toContain('L612-1');
    const resolved = closedMail(
      'a@example.test',
      'A',
      { id: ID, category: 'complaint', outcome: 'resolved' },
      mediator,
    );
    expect(resolved.text).not.toContain('Médiateur Test');
    expect(all[4]!.text).not.toContain('Médiateur Test');
  });
});

describe('the outbox', () => {
  const s = (value: string) => ({ S: value });

  it('announces a ticket, support’s answer and a closure by their ids, and nothing else', () => {
    expect(
      eventOfImage({
        entity: s('support-ticket'),
        id: s(ID),
        category: s('complaint'),
        openerId: s(OPENER),
        subject: s(SECRET),
      }),
    ).toEqual({ contract: TicketOpened, data: { ticketId: ID, category: 'complaint', openerId: OPENER } });
    expect(eventOfImage({ entity: s('message-report-ticket'), id: s(ID), category: s('message-report') })).toEqual({
      contract: TicketOpened,
      data: { ticketId: ID, category: 'message-report' },
    });
    const messageId = `smg_${'b'.repeat(32)}`;
    const message = {
      entity: s('support-message'),
      id: s(messageId),
      ticketId: s(ID),
      subjectKey: s(`account#${OPENER}`),
      text: s(SECRET),
    };
    expect(eventOfImage({ ...message, from: s('support') })).toEqual({
      contract: TicketAnswered,
      data: { ticketId: ID, messageId, openerId: OPENER },
    });
    expect(eventOfImage({ ...message, from: s('user') })).toBeUndefined();
    expect(
      eventOfImage({
        entity: s('support-ticket-closure'),
        ticketId: s(ID),
        category: s('complaint'),
        outcome: s('unresolved'),
        openerId: s(OPENER),
      }),
    ).toEqual({
      contract: TicketClosed,
      data: { ticketId: ID, category: 'complaint', outcome: 'unresolved', openerId: OPENER },
    });
    expect(eventOfImage({ entity: s('support-closure-count') })).toBeUndefined();
    expect(eventOfImage(undefined)).toBeUndefined();
  });

  it('publishes contracts of identifiers and codes, none of whose fields can take a text', () => {
    for (const contract of [TicketOpened, TicketAnswered, TicketClosed]) {
      const shape = (contract.data as unknown as { shape: Record<string, { safeParse: (v: unknown) => unknown }> })
        .shape;
      for (const [name, field] of Object.entries(shape)) {
        expect((field.safeParse(SECRET) as { success: boolean }).success, `${contract.detailType}.${name}`).toBe(false);
      }
    }
  });
});

/** A store of one ticket, in memory: enough for the use cases' ownership and the clock's steps. */
function storeOf(initial: Ticket[]) {
  const tickets = new Map(initial.map((t) => [t.id, t]));
  const closed: { id: string; outcome: string }[] = [];
  const notices: string[] = [];
  const store: TicketStore = {
    async open() {},
    async openReport() {
      return true;
    },
    async get(id) {
      return tickets.get(id);
    },
    async messages() {
      return [];
    },
    async listOf(): Promise<Page<RequestTicket>> {
      return { items: [] };
    },
    async queue() {
      return { items: [] };
    },
    async waitingSince(before) {
      return [...tickets.values()].filter(
        (t): t is RequestTicket =>
          t.kind === 'request' && t.waitingSince !== undefined && t.waitingSince.getTime() <= before.getTime(),
      );
    },
    async addMessage(read, _message: TicketMessage, next) {
      tickets.set(read.id, next);
      return 'done';
    },
    async assign() {
      return undefined;
    },
    async claimNotice(read, now) {
      if (read.noticeSentAt) return false;
      tickets.set(read.id, { ...read, noticeSentAt: now });
      notices.push(read.id);
      return true;
    },
    async releaseNotice() {},
    async close(read, closure) {
      tickets.delete(read.id);
      closed.push({ id: read.id, outcome: closure.outcome });
      return 'done';
    },
    async closure() {
      return undefined;
    },
  };
  return { store, tickets, closed, notices };
}

describe('the use cases', () => {
  it('give a ticket to its opener only: anyone else gets a 404 and changes nothing', async () => {
    const { ticket } = opened();
    const { store, tickets } = storeOf([ticket]);
    const deps: SupportDeps = { store, clock: manualClock(at) };
    await expect(getMyTicket(deps, OPENER, ID)).resolves.toMatchObject({ id: ID, subject: `Objet ${SECRET}` });
    const stranger = '22222222-2222-4333-8444-555555555555';
    await expect(getMyTicket(deps, stranger, ID)).rejects.toMatchObject({ status: 404 });
    await expect(answerMyTicket(deps, stranger, ID, 'Bonjour')).rejects.toMatchObject({ status: 404 });
    expect(tickets.get(ID)).toBe(ticket);
    // Support's staff reach tickets through their own routes only: their account is a stranger here.
    await expect(getMyTicket(deps, STAFF, ID)).rejects.toMatchObject({ status: 404 });
  });

  it('opens as a practitioner for a practitioner, as a client otherwise', () => {
    expect(openerRoleOf(['practitioner'])).toBe('practitioner');
    expect(openerRoleOf(['client', 'support'])).toBe('client');
  });

  it('runs the clock: the notice once at day 23, the closure at day 30, nothing once the opener answered', async () => {
    const waiting = afterMessage(opened().ticket, 'support', at);
    const other = { ...afterMessage(opened().ticket, 'support', at), id: `tkt_${'c'.repeat(32)}` };
    const { store, closed, notices } = storeOf([waiting, other]);
    const mails: Mail[] = [];
    const clock = manualClock(new Date(at.getTime() + 23 * DAY + 3600_000));
    const deps = {
      store,
      clock,
      people: { identityOf: async () => ({ email: 'a@example.test', firstName: 'Alice' }) },
      mailer: {
        send: async (mail: Mail) => {
          mails.push(mail);
          return { messageId: 'm' };
        },
      },
    };
    expect(await runTicketClock(deps)).toEqual({ noticed: 2, closed: 0, changed: 0 });
    expect(notices).toHaveLength(2);
    expect(mails.map((m) => m.subject)).toEqual([
      'Votre demande au support sera bientôt close',
      'Votre demande au support sera bientôt close',
    ]);
    clock.set(new Date(at.getTime() + 24 * DAY));
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 0, changed: 0 });
    // The second ticket's opener answers on day 25: it waits for support, out of the clock's reach.
    await answerMyTicket({ store, clock }, OPENER, other.id, 'Voici ma réponse');
    clock.set(new Date(at.getTime() + 30 * DAY));
    expect(await runTicketClock(deps)).toEqual({ noticed: 0, closed: 1, changed: 0 });
    expect(closed).toEqual([{ id: ID, outcome: 'no-reply' }]);
    expect(mails).toHaveLength(2);
  });

  it('shows support a message report’s ids and nobody', () => {
    const report = openReport(
      `tkt_${'d'.repeat(32)}`,
      { reportId: 'mrp_0123456789abcdef', conversationId: 'cnv_x', messageId: 'msg_x', reason: 'harassment' },
      at,
    );
    const view = staffTicketView(report);
    expect(view).toMatchObject({ kind: 'message-report', category: 'message-report', messageCount: 0 });
    expect(view.openerId).toBeUndefined();
    expect(view.subject).toBeUndefined();
  });
});

/** Rights requests' deadlines and rules (ADR 0017): GDPR art. 12(3), months counted as Regulation 1182/71 does. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deadlineMail, extensionMail } from '#functions/privacy/domain/request-mail.ts';
import {
  addDays,
  addMonths,
  answer,
  checkIdentity,
  deadlineOf,
  extend,
  type RightsRequest,
  RightsRequestRefused,
  warningDue,
} from '#functions/privacy/domain/rights-request.ts';
import { parisDate } from '#shared/time-zone.ts';

const received: RightsRequest = {
  id: 'rrq_0123456789abcdef0123456789abcdef',
  type: 'access',
  channel: 'email',
  receivedOn: '2030-01-31',
  subject: { email: 'zoe@example.test' },
  recordedBy: 'dpo-1',
};

describe('the deadline', () => {
  it('is the same date a month later, or the last day of a shorter month', () => {
    expect(addMonths('2030-03-15', 1)).toBe('2030-04-15');
    expect(addMonths('2030-01-31', 1)).toBe('2030-02-28');
    expect(addMonths('2032-01-31', 1)).toBe('2032-02-29');
    expect(addMonths('2030-12-10', 1)).toBe('2031-01-10');
    expect(addMonths('2030-11-30', 3)).toBe('2031-02-28');
    expect(deadlineOf(received)).toBe('2030-02-28');
    expect(deadlineOf({ ...received, extension: { months: 2, reason: 'x', decidedOn: '2030-02-01', by: 'd' } })).toBe(
      '2030-04-30',
    );
  });

  it('never falls before the receipt, nor more than a calendar month after it', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }), (at) => {
        const day = at.toISOString().slice(0, 10);
        const due = addMonths(day, 1);
        expect(due > day).toBe(true);
        expect(due <= addDays(day, 31)).toBe(true);
        expect(due >= addDays(day, 28)).toBe(true);
      }),
    );
  });

  it('counts days in Paris', () => {
    expect(parisDate(new Date('2030-06-30T22:30:00Z'))).toBe('2030-07-01');
    expect(parisDate(new Date('2030-01-31T22:30:00Z'))).toBe('2030-01-31');
  });
});

describe('the rules', () => {
  it('extends once, within the first month', () => {
    const extended = extend(received, 2, 'Demandes nombreuses', '2030-02-10', 'dpo-1');
    expect(deadlineOf(extended)).toBe('2030-04-30');
    expect(() => extend(extended, 1, 'Encore', '2030-02-11', 'dpo-1')).toThrow(RightsRequestRefused);
    expect(() => extend(received, 1, 'Trop tard', '2030-03-01', 'dpo-1')).toThrow('within a month');
  });

  it('answers on the merits only once the identity is verified; an answer closes the request', () => {
    expect(() => answer(received, '2030-02-05', 'granted', 'dpo-1')).toThrow('not verified');
    expect(answer(received, '2030-02-05', 'identity-not-verified', 'dpo-1').answer?.outcome).toBe(
      'identity-not-verified',
    );
    const checked = checkIdentity(received, true, 'email-of-the-account', '2030-02-01', 'dpo-1');
    const answered = answer(checked, '2030-02-05', 'granted', 'dpo-1');
    expect(() => checkIdentity(answered, false, 'other', '2030-02-06', 'dpo-1')).toThrow('answered');
    expect(() => answer(checked, '2030-01-30', 'granted', 'dpo-1')).toThrow('precede');
  });

  it('warns from 7 days before the deadline and from the day after it, once per deadline', () => {
    const r = { ...received, receivedOn: '2030-03-15' };
    expect(warningDue(r, '2030-04-07')).toBeUndefined();
    expect(warningDue(r, '2030-04-08')).toBe('near');
    expect(warningDue({ ...r, warned: { near: '2030-04-15' } }, '2030-04-10')).toBeUndefined();
    expect(warningDue({ ...r, warned: { near: '2030-04-15' } }, '2030-04-15')).toBeUndefined();
    expect(warningDue({ ...r, warned: { near: '2030-04-15' } }, '2030-04-16')).toBe('overdue');
    expect(warningDue({ ...r, warned: { near: '2030-04-15', overdue: '2030-04-15' } }, '2030-04-20')).toBeUndefined();
    // An extension moves the deadline: the warnings start again for the new one.
    const extended = extend({ ...r, warned: { near: '2030-04-15' } }, 1, 'Demande complexe', '2030-04-10', 'd');
    expect(warningDue(extended, '2030-04-16')).toBeUndefined();
    expect(warningDue(extended, '2030-05-08')).toBe('near');
    expect(
      warningDue(
        answer(checkIdentity(r, true, 'other', '2030-04-01', 'd'), '2030-04-02', 'granted', 'd'),
        '2030-05-01',
      ),
    ).toBeUndefined();
  });
});

describe('the mails', () => {
  it("tell the subject the new deadline and the reason, and the DPO the request's id, never the address", () => {
    const extended = extend(received, 1, 'Votre demande porte sur de nombreuses données.', '2030-02-10', 'dpo-1');
    const notice = extensionMail(extended, 'zoe@example.test');
    expect(notice.to).toEqual(['zoe@example.test']);
    expect(notice.text).toContain('31 mars 2030');
    expect(notice.text).toContain('Motif : Votre demande porte sur de nombreuses données.');
    const warning = deadlineMail(extended, '2030-03-31', 'near', 'dpo@monprodubienetre.fr');
    expect(warning.text).toContain(received.id);
    expect(JSON.stringify(warning)).not.toContain('zoe@example.test');
  });
});

/**
 * The DPO's register of rights requests over HTTP (ADR 0017): record requests received by post or
 * email, check the identity, extend a deadline (the subject is mailed the reason), answer; the
 * daily job (fired through the local scheduler's control) mails the DPO about the near and the
 * overdue ones, once per deadline.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_MAIL } from '#local/wiring.ts';
import { callAs } from '../support/bookings.ts';
import { type Person, signedInPerson } from '../support/identity.ts';
import { mails } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
const root = join(import.meta.dirname, '..', '..');
// Its own loopback address.
const IP = '127.0.0.122';

let dpo: Person;
beforeAll(async () => {
  dpo = await signedInPerson(cloud, 'dpo');
}, 60_000);

interface View {
  id: string;
  state: string;
  deadline: string;
  extension?: { months: number };
}

const json = <T>(reply: { body: string }) => JSON.parse(reply.body) as T;
const parisToday = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date());
const daysBefore = (days: number) => {
  const at = new Date(`${parisToday()}T00:00:00Z`);
  at.setUTCDate(at.getUTCDate() - days);
  return at.toISOString().slice(0, 10);
};

describe('rights requests received by post or email', () => {
  it('recorded, checked, extended with a notice to the subject, warned about, answered', async () => {
    const marker = `${Date.now().toString(36)}@example.test`;
    const record = async (receivedOn: string, email: string) => {
      const reply = await callAs(cloud, IP, dpo, 'POST', '/privacy/rights-requests', {
        type: 'access',
        channel: 'email',
        receivedOn,
        subject: { email },
      });
      expect(reply.status).toBe(201);
      return json<View>(reply);
    };
    // Due in about 6 days, past due, and one to extend.
    const near = await record(daysBefore(25), `near-${marker}`);
    const overdue = await record(daysBefore(40), `overdue-${marker}`);
    const later = await record(daysBefore(2), `later-${marker}`);
    expect(near.deadline > parisToday()).toBe(true);
    expect(overdue.deadline < parisToday()).toBe(true);

    const open = json<{ items: View[] }>(await callAs(cloud, IP, dpo, 'GET', '/privacy/rights-requests')).items;
    const ours = open.filter((r) => [near.id, overdue.id, later.id].includes(r.id)).map((r) => r.id);
    expect(ours).toEqual([overdue.id, near.id, later.id]);

    const extended = await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${later.id}/extension`, {
      months: 2,
      reason: 'Votre demande porte sur des données de plusieurs services.',
    });
    expect(json<View>(extended)).toMatchObject({ extension: { months: 2 } });
    const notice = await until('the extension notice', async () =>
      (await mails(cloud.urls.mailStore)).find((m) => m.destination.to.includes(`later-${marker}`)),
    );
    expect(notice.subject).toContain('délai de réponse prolongé');
    expect(notice.body.text).toContain('Motif : Votre demande porte sur des données de plusieurs services.');

    // The daily job, now: the DPO hears of the near one and the overdue one, once.
    for (let run = 0; run < 2; run++) {
      const fired = await fetch(`${cloud.urls.aws}/_local/schedules/daily-rights-request-deadlines/fire`, {
        method: 'POST',
      });
      expect(fired.status).toBe(200);
    }
    const warnings = (await mails(cloud.urls.mailStore)).filter(
      (m) =>
        m.destination.to.includes(LOCAL_MAIL.platformInbox) &&
        [near.id, overdue.id, later.id].some((id) => (m.body.text ?? '').includes(id)),
    );
    expect(warnings.map((m) => m.subject.startsWith("Demande d'exercice de droits en retard")).sort()).toEqual([
      false,
      true,
    ]);
    expect(JSON.stringify(warnings)).not.toContain(marker);

    // Answered after the identity check: it leaves the open list.
    const refused = await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${near.id}/answer`, {
      answeredOn: parisToday(),
      outcome: 'granted',
    });
    expect(refused.status).toBe(409);
    const checked = await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${near.id}/identity-check`, {
      verified: true,
      method: 'email-of-the-account',
    });
    expect(checked.status).toBe(200);
    const answered = await callAs(cloud, IP, dpo, 'POST', `/privacy/rights-requests/${near.id}/answer`, {
      answeredOn: parisToday(),
      outcome: 'granted',
    });
    expect(json<View>(answered).state).toBe('answered');
    const still = json<{ items: View[] }>(await callAs(cloud, IP, dpo, 'GET', '/privacy/rights-requests')).items;
    expect(still.some((r) => r.id === near.id)).toBe(false);
    expect(json<View>(await callAs(cloud, IP, dpo, 'GET', `/privacy/rights-requests/${near.id}`)).state).toBe(
      'answered',
    );
  }, 60_000);

  it('`npm run rights-requests` records, lists and answers through the same use cases', async () => {
    const cli = async (...args: string[]) =>
      promisify(execFile)(process.execPath, ['local/rights-requests-cli.ts', ...args], {
        cwd: root,
        env: { ...process.env, ...cloud.env },
      });
    const recorded = JSON.parse(
      (
        await cli(
          'record',
          '--type',
          'erasure',
          '--channel',
          'post',
          '--received-on',
          daysBefore(3),
          '--email',
          `cli-${Date.now().toString(36)}@example.test`,
          '--dpo',
          'dpo-cli',
        )
      ).stdout,
    ) as View & { recordedBy: string };
    expect(recorded).toMatchObject({ state: 'open', recordedBy: 'dpo-cli' });
    // The route sees what the command recorded.
    const seen = await callAs(cloud, IP, dpo, 'GET', `/privacy/rights-requests/${recorded.id}`);
    expect(json<View>(seen).deadline).toBe(recorded.deadline);
    const listed = JSON.parse((await cli('list')).stdout) as { items: View[] };
    expect(listed.items.some((r) => r.id === recorded.id)).toBe(true);
    await cli('identity-check', recorded.id, '--verified', 'yes', '--method', 'signed-identity-proof');
    const answered = JSON.parse(
      (await cli('answer', recorded.id, '--answered-on', parisToday(), '--outcome', 'granted')).stdout,
    ) as View;
    expect(answered.state).toBe('answered');
    // Refusals and bad usage: exit 1 and 2, nothing printed on stdout.
    const again = await cli('answer', recorded.id, '--answered-on', parisToday(), '--outcome', 'granted').catch(
      (error: { code: number; stdout: string }) => error,
    );
    expect(again).toMatchObject({ code: 1, stdout: '' });
    const bad = await cli('record', '--type', 'gossip').catch((error: { code: number }) => error);
    expect(bad).toMatchObject({ code: 2 });
  }, 60_000);
});

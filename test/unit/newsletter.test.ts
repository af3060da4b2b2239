/**
 * The newsletter's pure parts (ADR 0020): keyed digests and link tokens, the double opt-in's
 * decisions, the renewal window, RFC 8058's one-click body, SES's feedback as SNS delivers it, the
 * mailer's configuration set, the mails' headers as a raw MIME message, the pages, the allow-list
 * of campaign links.
 */
import type { SESClient } from '@aws-sdk/client-ses';
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { confirmationMail, listHeaders, renewalMail } from '#functions/newsletter/domain/mails.ts';
import { pages } from '#functions/newsletter/domain/pages.ts';
import {
  type ConfirmedSubscription,
  decideConfirm,
  decideSubscribe,
  isOneClickBody,
  type PendingSubscription,
  pendingRequest,
  renewalDue,
  sesFeedbackOf,
} from '#functions/newsletter/domain/subscription.ts';
import {
  addressDigest,
  confirmationMatches,
  linkToken,
  newConfirmationToken,
  parseToken,
  verifyLinkToken,
} from '#functions/newsletter/domain/tokens.ts';
import { rawMessage } from '#shared/mail/mime.ts';
import { sesMailer } from '#shared/mail/ses-mailer.ts';
import { isAllowedTarget, parseLinkTargets } from '#shared/newsletter-config.ts';

const PEPPER = 'unit-test-pepper-0123456789';
const now = new Date('2027-03-01T10:00:00Z');
const DAY = 86_400_000;

describe('digests and tokens', () => {
  it('keys an address by a keyed hash, the same for any spelling, another under another pepper', () => {
    const digest = addressDigest(PEPPER, 'Alice@Example.test ');
    expect(digest).toMatch(/^[0-9a-f]{40}$/);
    expect(addressDigest(PEPPER, 'alice@example.test')).toBe(digest);
    expect(addressDigest('another-pepper-0123456789', 'alice@example.test')).not.toBe(digest);
  });

  it('stores only the hash of a confirmation secret, which the link matches', () => {
    const digest = addressDigest(PEPPER, 'a@example.test');
    const { token, hash } = newConfirmationToken(digest);
    const parts = parseToken(token);
    expect(parts?.digest).toBe(digest);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(token).not.toContain(hash);
    expect(confirmationMatches(parts!.secret, hash)).toBe(true);
    // One character changed (to another one: a random secret may end in any of them).
    const last = parts!.secret.at(-1) === 'A' ? 'B' : 'A';
    expect(confirmationMatches(`${parts!.secret.slice(0, -1)}${last}`, hash)).toBe(false);
    expect(newConfirmationToken(digest).token).not.toBe(token);
    expect(parseToken('not-a-token')).toBeUndefined();
  });

  it('signs the long-lived links per purpose: a link of one purpose is no link of another', () => {
    const digest = addressDigest(PEPPER, 'a@example.test');
    const unsubscribe = linkToken(PEPPER, 'unsubscribe', digest);
    expect(verifyLinkToken(PEPPER, 'unsubscribe', unsubscribe)).toBe(digest);
    expect(verifyLinkToken(PEPPER, 'renewal', unsubscribe)).toBeUndefined();
    expect(verifyLinkToken('another-pepper-0123456789', 'unsubscribe', unsubscribe)).toBeUndefined();
    const other = addressDigest(PEPPER, 'b@example.test');
    expect(verifyLinkToken(PEPPER, 'unsubscribe', `${other}.${unsubscribe.split('.')[1]}`)).toBeUndefined();
  });
});

const pending = (at: Date): PendingSubscription =>
  pendingRequest(
    { subscriptionId: `nls_${'1'.repeat(32)}`, email: 'a@example.test', wordingVersion: '2026-12-07', source: 'site' },
    'h'.repeat(64),
    at,
  );

const confirmed = (expiresAt: Date, askedFor?: number): ConfirmedSubscription => ({
  ...pending(now),
  kind: 'confirmed',
  confirmedAt: now.toISOString(),
  lastContactAt: now.toISOString(),
  expiresAt: expiresAt.getTime() / 1000,
  ...(askedFor ? { renewalAskedFor: askedFor } : {}),
});

describe('the double opt-in', () => {
  it('mails a new or pending address, nothing to a confirmed, undeliverable or just mailed one', () => {
    expect(decideSubscribe({}, now)).toEqual({ kind: 'request', subscriptionId: undefined });
    expect(decideSubscribe({ subscription: pending(new Date(now.getTime() - 11 * 60_000)) }, now)).toEqual({
      kind: 'request',
      subscriptionId: `nls_${'1'.repeat(32)}`,
    });
    expect(decideSubscribe({ subscription: pending(new Date(now.getTime() - 60_000)) }, now)).toMatchObject({
      why: 'recently-mailed',
    });
    expect(decideSubscribe({ subscription: confirmed(new Date(now.getTime() + DAY)) }, now)).toMatchObject({
      why: 'confirmed',
    });
    for (const reason of ['bounce', 'complaint'] as const)
      expect(decideSubscribe({ suppression: { reason, suppressedAt: now.toISOString() } }, now)).toMatchObject({
        why: 'undeliverable',
      });
    for (const reason of ['unsubscribed', 'renewal-declined'] as const)
      expect(decideSubscribe({ suppression: { reason, suppressedAt: now.toISOString() } }, now).kind).toBe('request');
  });

  it('confirms with the pending link while it lasts, and says confirmed again for the link that did', () => {
    const request = pending(now);
    expect(request.confirmationExpiresAt).toBe('2027-03-08T10:00:00.000Z');
    const yes = () => true;
    expect(decideConfirm(request, yes, new Date(now.getTime() + 6 * DAY)).kind).toBe('confirm');
    expect(decideConfirm(request, yes, new Date(now.getTime() + 7 * DAY)).kind).toBe('invalid');
    expect(decideConfirm(request, () => false, now).kind).toBe('invalid');
    expect(decideConfirm(undefined, yes, now).kind).toBe('invalid');
    expect(decideConfirm(confirmed(new Date(now.getTime() + DAY)), yes, now).kind).toBe('already-confirmed');
  });

  it('asks the renewal within 30 days of the end (31 for the whole last day), once per end', () => {
    const end = new Date(now.getTime() + 30 * DAY);
    expect(renewalDue(confirmed(end), now)).toBe(true);
    expect(renewalDue(confirmed(new Date(now.getTime() + 31 * DAY)), now)).toBe(true);
    expect(renewalDue(confirmed(new Date(now.getTime() + 32 * DAY)), now)).toBe(false);
    expect(renewalDue(confirmed(end, end.getTime() / 1000), now)).toBe(false);
    expect(renewalDue(confirmed(new Date(now.getTime() - 1000)), now)).toBe(false);
  });
});

describe('RFC 8058 one-click body', () => {
  it('accepts List-Unsubscribe=One-Click form-encoded or as a multipart form field', () => {
    expect(isOneClickBody('List-Unsubscribe=One-Click', 'application/x-www-form-urlencoded')).toBe(true);
    expect(isOneClickBody('List-Unsubscribe=One-Click', undefined)).toBe(true);
    const multipart = '--b\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--b--\r\n';
    expect(isOneClickBody(multipart, 'multipart/form-data; boundary=b')).toBe(true);
    expect(isOneClickBody('', 'application/x-www-form-urlencoded')).toBe(false);
    expect(isOneClickBody(undefined, undefined)).toBe(false);
    expect(isOneClickBody('List-Unsubscribe=Yes', 'application/x-www-form-urlencoded')).toBe(false);
  });
});

describe('SES feedback', () => {
  const message = (body: object) => JSON.stringify(body);
  it('ends the subscriptions of a permanent bounce and of a complaint, nothing else', () => {
    expect(
      sesFeedbackOf(
        message({
          notificationType: 'Bounce',
          bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'Zoé <a@example.test>' }] },
        }),
      ),
    ).toEqual({ kind: 'bounce', addresses: ['a@example.test'] });
    expect(
      sesFeedbackOf(
        message({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: 'b@example.test' }] } }),
      ),
    ).toEqual({ kind: 'complaint', addresses: ['b@example.test'] });
    for (const ignored of [
      message({ notificationType: 'Bounce', bounce: { bounceType: 'Transient', bouncedRecipients: [] } }),
      message({ notificationType: 'Delivery' }),
      'not json',
      'null',
    ])
      expect(sesFeedbackOf(ignored).kind).toBe('ignored');
  });
});

describe('SES feedback as SNS delivers it to Lambda', () => {
  // The configuration set's event publishing (eventType), as SES documents it, in an SNS record.
  const published = (notification: object): SNSEvent => ({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:eu-west-3:123456789012:MonProDuBienEtre-newsletter-feedback:0b1c',
        Sns: {
          Type: 'Notification',
          MessageId: '95df01b4-ee98-5cb9-9903-4c221d41eb5e',
          TopicArn: 'arn:aws:sns:eu-west-3:123456789012:MonProDuBienEtre-newsletter-feedback',
          Subject: '',
          Message: JSON.stringify(notification),
          Timestamp: '2027-03-01T10:00:00.000Z',
          SignatureVersion: '1',
          Signature: 'EXAMPLE',
          SigningCertUrl: 'https://sns.eu-west-3.amazonaws.com/SimpleNotificationService-0000.pem',
          UnsubscribeUrl: 'https://sns.eu-west-3.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  });
  const mail = {
    timestamp: '2027-03-01T09:59:58.000Z',
    source: 'no-reply@monprodubienetre.fr',
    sendingAccountId: '123456789012',
    messageId: '0102017e-example',
    destination: ['a@example.test'],
    tags: { 'ses:configuration-set': ['MonProDuBienEtre-newsletter'] },
  };

  it('reads the notification from Records[].Sns.Message, as the handler does', () => {
    const bounce = published({
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: 'a@example.test', action: 'failed', status: '5.1.1' }],
        timestamp: '2027-03-01T10:00:00.000Z',
        feedbackId: '0102017e-feedback',
      },
      mail,
    });
    expect(bounce.Records.map((r) => sesFeedbackOf(r.Sns.Message))).toEqual([
      { kind: 'bounce', addresses: ['a@example.test'] },
    ]);
    const complaint = published({
      eventType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: 'a@example.test' }],
        timestamp: '2027-03-01T10:00:00.000Z',
        feedbackId: '0102017e-feedback',
        complaintFeedbackType: 'abuse',
      },
      mail,
    });
    expect(sesFeedbackOf(complaint.Records[0]!.Sns.Message)).toEqual({
      kind: 'complaint',
      addresses: ['a@example.test'],
    });
  });
});

describe('the SES mailer', () => {
  const recording = () => {
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        return { MessageId: `m-${sent.length}` };
      },
    } as unknown as SESClient;
    return { sent, client };
  };
  const plain = { to: ['a@example.test'], subject: 'Objet', text: 'Texte' };
  const withHeaders = { ...plain, headers: [{ name: 'List-Id' as const, value: '<newsletter.example.test>' }] };

  it('names the configuration set in every mail when given one, SendEmail and SendRawEmail alike', async () => {
    const { sent, client } = recording();
    const mailer = sesMailer({ client, from: 'no-reply@example.test', configurationSet: 'x-newsletter' });
    await mailer.send(plain);
    await mailer.send(withHeaders);
    expect(sent.map((s) => [s.name, s.input.ConfigurationSetName])).toEqual([
      ['SendEmailCommand', 'x-newsletter'],
      ['SendRawEmailCommand', 'x-newsletter'],
    ]);
  });

  it('names none otherwise (the platform’s other mails)', async () => {
    const { sent, client } = recording();
    const mailer = sesMailer({ client, from: 'no-reply@example.test' });
    await mailer.send(plain);
    await mailer.send(withHeaders);
    expect(sent.map((s) => 'ConfigurationSetName' in s.input)).toEqual([false, false]);
  });
});

describe('the mails', () => {
  const links = {
    unsubscribe: 'https://api.example.test/newsletter/unsubscribe?token=abc',
    renewal: 'https://api.example.test/newsletter/renewal?token=def',
  };

  it('sends the one-click unsubscribe headers in the raw message of a newsletter mail', () => {
    const mail = renewalMail('a@example.test', links, new Date('2030-01-01T00:00:00Z'));
    expect(mail.headers).toEqual(listHeaders(links));
    expect(mail.text).toContain(links.unsubscribe);
    expect(mail.html).toContain('Se désabonner en un clic');
    const raw = rawMessage(mail, { from: 'no-reply@example.test', date: now, boundary: 'b' });
    const head = raw.split('\r\n\r\n')[0]!;
    expect(head).toContain(`\r\nList-Unsubscribe: <${links.unsubscribe}>\r\n`);
    expect(head).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
  });

  it('refuses a header that could inject another, or one a mail may not set', () => {
    const mail = confirmationMail('a@example.test', 'https://x.test/c', now);
    expect(mail.headers).toBeUndefined();
    expect(() =>
      rawMessage(
        { ...mail, headers: [{ name: 'List-Unsubscribe', value: '<https://x.test>\r\nBcc: z@w.test' }] },
        { from: 'a@b.test', date: now },
      ),
    ).toThrow('Unsafe header value');
    expect(() =>
      rawMessage({ ...mail, headers: [{ name: 'From' as 'List-Id', value: 'x' }] }, { from: 'a@b.test', date: now }),
    ).toThrow('Unknown extra header');
  });
});

describe('the pages', () => {
  it('never act on GET: a form posts to the same path, the token escaped', () => {
    const html = pages.unsubscribeAsk('abc"><script>');
    expect(html).toContain('<form method="post" action="?token=abc%22%3E%3Cscript%3E">');
    expect(html).toContain('name="List-Unsubscribe" value="One-Click"');
    expect(html).not.toContain('<script>');
    expect(pages.renewalAsk('t')).toContain('answer=no');
  });
});

describe('the allow-list of campaign links', () => {
  const allowed = parseLinkTargets('https://www.monprodubienetre.fr/, https://blog.example.test/articles');
  it('allows the listed origins and paths only', () => {
    expect(isAllowedTarget('https://www.monprodubienetre.fr/praticiens?ville=Lyon', allowed)).toBe(true);
    expect(isAllowedTarget('https://blog.example.test/articles/sommeil', allowed)).toBe(true);
    expect(isAllowedTarget('https://blog.example.test/articles', allowed)).toBe(true);
    expect(isAllowedTarget('https://blog.example.test/articlesx', allowed)).toBe(false);
    expect(isAllowedTarget('https://blog.example.test/autre', allowed)).toBe(false);
    expect(isAllowedTarget('https://evil.example.test/', allowed)).toBe(false);
    expect(isAllowedTarget('http://www.monprodubienetre.fr/', allowed)).toBe(false);
    expect(isAllowedTarget('https://user@www.monprodubienetre.fr/', allowed)).toBe(false);
    expect(isAllowedTarget('javascript:alert(1)', allowed)).toBe(false);
  });
  it('refuses a target list that would open the redirect', () => {
    expect(() => parseLinkTargets('http://www.example.test/')).toThrow('https only');
    expect(() => parseLinkTargets('https://x.test/?a=1')).toThrow('an origin and a path only');
    expect(() => parseLinkTargets('')).toThrow('at least one');
  });
});

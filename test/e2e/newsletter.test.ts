/**
 * The newsletter end to end (ADR 0020), over HTTP against the local cloud: a visitor subscribes
 * (the same 202 whatever the address), the confirmation link comes by mail (the SES emulator's
 * store), its page's button confirms (again: confirmed still); support's campaign reaches it
 * and its tracked link redirects to an allow-listed target; 30 days before the end (the
 * subscription's expiry moved there in the table: time travel is the integration tests' job) the
 * daily job, fired through the local scheduler, asks whether to go on, by a mail carrying RFC
 * 8058's headers; the one-click POST of its List-Unsubscribe URL deletes the subscription and
 * leaves only a keyed hash in the suppression list; SES's permanent bounce (the SNS event of the
 * configuration set every newsletter mail names, given to the function) does the same. No
 * address in the logs.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SNSEvent } from 'aws-lambda';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { LOCAL_NEWSLETTER_CONFIGURATION_SET } from '#local/wiring.ts';
import { expiryDayOf } from '#shared/retention/expiry.ts';
import { subjectKeyForEmail } from '#shared/retention/subject.ts';
import { apiClient, callApi } from '../support/api.ts';
import { callAs } from '../support/bookings.ts';
import { localDocumentClient } from '../support/dynamo.ts';
import { signedInPerson } from '../support/identity.ts';
import { mails, type StoredMail, waitForMail } from '../support/mail.ts';
import { until } from '../support/payments.ts';

const cloud = inject('cloud');
// Its own loopback address: rate limits are per IP.
const IP = '127.0.0.128';
const db = localDocumentClient(cloud.urls.dynamodb);
const table = cloud.env.TABLE_NEWSLETTER!;
afterAll(() => db.destroy());

const WORDING = '2026-12-07';
const marker = randomUUID().slice(0, 8);
const email = `lectrice.${marker}@example.test`;
const DAY = 86_400_000;

const subscribe = (address: string) =>
  apiClient(cloud, IP).POST('/newsletter/subscriptions', {
    body: { email: address, wordingVersion: WORDING, source: 'site' },
  });

/** The path and query of a link the API mailed (its base is the local gateway). */
const pathOf = (url: string) => {
  expect(url.startsWith(`${cloud.urls.api}/newsletter/`), url).toBe(true);
  return url.slice(cloud.urls.api.length);
};

const linkIn = (mail: StoredMail, path: string) => {
  const found = new RegExp(`${cloud.urls.api}/newsletter/${path}\\?token=[A-Za-z0-9_.%-]+`).exec(mail.body.text ?? '');
  if (!found) throw new Error(`no ${path} link in the mail`);
  return found[0];
};

const addressItems = async () => {
  const subject = subjectKeyForEmail(email);
  const { Items = [] } = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'bySubject',
      KeyConditionExpression: 'subjectKey = :s',
      ExpressionAttributeValues: { ':s': subject },
    }),
  );
  return Items;
};

describe('the newsletter', () => {
  let subscriptionPk = '';

  it('answers the same to any address, and mails a confirmation link to a new one', async () => {
    const first = await subscribe(email);
    expect(first.response.status).toBe(202);
    const mail = await waitForMail(
      cloud.urls.mailStore,
      (m) => m.destination.to.includes(email) && m.subject.startsWith('Confirmez votre inscription'),
    );
    expect(mail.body.text).toContain('valable jusqu’au');
    expect(mail.body.text).toContain(linkIn(mail, 'confirmation'));
    // Sent with the newsletter's configuration set: its bounces and complaints come back (ADR 0020).
    expect(mail.configurationSet).toBe(LOCAL_NEWSLETTER_CONFIGURATION_SET);

    // Pending: the proof of the request is stored for 7 days, the link's hash only.
    const [pending] = await addressItems();
    expect(pending).toMatchObject({ entity: 'newsletter-pending-subscription', sk: 'SUBSCRIPTION' });
    subscriptionPk = String(pending?.pk);
    const { Item } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' } }),
    );
    expect(Item).toMatchObject({
      email,
      wordingVersion: WORDING,
      source: 'site',
      retentionPurpose: 'newsletter-confirmation',
    });
    expect(Item?.expiresAt).toBeLessThanOrEqual(Math.ceil((Date.now() + 7 * DAY) / 1000));

    // The page of the link changes nothing; its button confirms; the same link again is harmless.
    const link = pathOf(linkIn(mail, 'confirmation'));
    const page = await callApi(cloud, IP, 'GET', link);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.body).toContain('<form method="post"');
    expect(
      (await db.send(new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' } }))).Item
        ?.entity,
    ).toBe('newsletter-pending-subscription');
    for (let click = 0; click < 2; click++) {
      const confirmed = await callApi(cloud, IP, 'POST', link);
      expect(confirmed.status).toBe(200);
      expect(confirmed.body).toContain('Inscription confirmée');
    }
    const { Item: subscription } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' } }),
    );
    expect(subscription).toMatchObject({ entity: 'newsletter-subscription', retentionPurpose: 'newsletter' });
    const threeYears = new Date(String(subscription?.confirmedAt));
    threeYears.setUTCFullYear(threeYears.getUTCFullYear() + 3);
    expect(subscription?.expiresAt).toBe(Math.floor(threeYears.getTime() / 1000));

    // Confirmed, unknown, or with a forged link: the same answers, nothing says which.
    const mailed = (await mails(cloud.urls.mailStore)).length;
    const again = await subscribe(email.toUpperCase());
    const other = await subscribe(`inconnu.${marker}@example.test`);
    expect(again.response.status).toBe(202);
    expect(again.data).toEqual(first.data);
    expect(other.data).toEqual(first.data);
    await waitForMail(cloud.urls.mailStore, (m) => m.destination.to.includes(`inconnu.${marker}@example.test`));
    await new Promise((r) => setTimeout(r, 300));
    expect((await mails(cloud.urls.mailStore)).length).toBe(mailed + 1);
    const deadLink = `/newsletter/confirmation?token=${'0'.repeat(40)}.${'A'.repeat(43)}`;
    const forged = await callApi(cloud, IP, 'POST', deadLink);
    expect(forged.status).toBe(410);
    expect(forged.headers['content-type']).toBe('application/problem+json');
    // A browser gets the page that says so.
    const forgedPage = await callApi(cloud, IP, 'POST', deadLink, { headers: { Accept: 'text/html' } });
    expect(forgedPage.status).toBe(410);
    expect(forgedPage.body).toContain('Lien expiré ou invalide');
  });

  it('sends support’s campaign to the subscriber, whose click on a tracked link restarts the clock', async () => {
    const support = await signedInPerson(cloud, 'support');
    const staff = apiClient(cloud, IP, support);
    const subject = `Les nouveautés ${marker}`;
    const refused = await staff.POST('/newsletter/campaigns', {
      body: { subject, text: 'Voir https://ailleurs.example.test/offre', html: '<p>x</p>' },
    });
    expect(refused.response.status).toBe(422);
    const created = await staff.POST('/newsletter/campaigns', {
      body: {
        subject,
        text: 'Bonjour,\nNos praticiens près de chez vous : https://www.monprodubienetre.fr/praticiens\nÀ bientôt',
        html: '<p>Bonjour,</p><p><a href="https://www.monprodubienetre.fr/praticiens">Nos praticiens</a></p>',
      },
    });
    expect(created.response.status).toBe(201);
    const campaignId = created.data!.id;
    const started = await staff.POST('/newsletter/campaigns/{campaignId}/send', {
      params: { path: { campaignId } },
    });
    expect(started.response.status).toBe(202);
    const mail = await waitForMail(
      cloud.urls.mailStore,
      (m) => m.destination.to.includes(email) && m.subject === subject,
    );
    // The sender notes the batch after its mails: on a loaded machine, well after the mail is in.
    await expect
      .poll(
        async () => (await staff.GET('/newsletter/campaigns/{campaignId}', { params: { path: { campaignId } } })).data,
        { timeout: 30_000, interval: 200 },
      )
      .toMatchObject({ state: 'sent', sent: 1, failed: 0 });
    expect(mail.headers?.find((h) => h.name === 'List-Unsubscribe-Post')?.value).toBe('List-Unsubscribe=One-Click');
    expect(mail.configurationSet).toBe(LOCAL_NEWSLETTER_CONFIGURATION_SET);

    // The tracked link: a 302 to the target; the click is the subscriber's last contact.
    const tracked = new RegExp(
      `${cloud.urls.api}/newsletter/links/${campaignId}/0\\?token=[0-9a-f]{40}\\.[A-Za-z0-9_-]{43}`,
    ).exec(mail.body.text ?? '')?.[0];
    expect(tracked).toBeDefined();
    const before = (
      await db.send(new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' } }))
    ).Item;
    const click = await callApi(cloud, IP, 'GET', pathOf(tracked!));
    expect(click.status).toBe(302);
    expect(click.headers.location).toBe('https://www.monprodubienetre.fr/praticiens');
    const after = (await db.send(new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' } })))
      .Item;
    // Confirmed minutes ago: the clock moves only a day after its last move (one write a day).
    expect(after?.expiresAt).toBe(before?.expiresAt);
    expect(after?.sentCampaigns).toEqual(new Set([campaignId]));
    // No open redirect: the path names a link of the campaign, never a target.
    expect((await callApi(cloud, IP, 'GET', `/newsletter/links/${campaignId}/7`)).status).toBe(404);
  });

  it('asks 30 days before the end whether to go on, by a mail with the one-click unsubscribe', async () => {
    // Time travel for the job: the subscription now ends in 29 days (the clock itself is the
    // integration tests' job); the job's checkpoint is forgotten so that today's run reads that day.
    const endsAt = Math.floor((Date.now() + 29 * DAY) / 1000);
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: subscriptionPk, sk: 'SUBSCRIPTION' },
        UpdateExpression: 'SET expiresAt = :e, expiryDay = :d',
        ExpressionAttributeValues: { ':e': endsAt, ':d': expiryDayOf(endsAt, new Date()) },
      }),
    );
    await db.send(new DeleteCommand({ TableName: table, Key: { pk: 'JOB#renewal-asks', sk: 'CHECKPOINT' } }));
    for (let run = 0; run < 2; run++) {
      const fired = await fetch(`${cloud.urls.aws}/_local/schedules/daily-newsletter-renewal-asks/fire`, {
        method: 'POST',
      });
      expect(fired.status).toBe(200);
    }
    const asks = (await mails(cloud.urls.mailStore)).filter(
      (m) => m.destination.to.includes(email) && m.subject.includes('continuer à recevoir'),
    );
    expect(asks).toHaveLength(1); // once per expiry, however often the job runs
    const ask = asks[0]!;
    const header = (name: string) => ask.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;
    const unsubscribeUrl = /^<(https?:\/\/[^>]+)>$/.exec(header('List-Unsubscribe') ?? '')?.[1];
    expect(unsubscribeUrl).toBeDefined();
    expect(header('List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    expect(ask.body.text).toContain(unsubscribeUrl);
    expect(ask.body.html).toContain('Se désabonner en un clic');

    // The renewal page shows yes and no; the unsubscribe page its one-click button.
    const renewalPage = await callApi(cloud, IP, 'GET', pathOf(linkIn(ask, 'renewal')));
    expect(renewalPage.body).toContain('answer=yes');
    const unsubscribePage = await callApi(cloud, IP, 'GET', pathOf(unsubscribeUrl!));
    expect(unsubscribePage.body).toContain('name="List-Unsubscribe" value="One-Click"');

    // RFC 8058: a POST without the one-click body does nothing; with it, unsubscribed at once.
    expect((await callApi(cloud, IP, 'POST', pathOf(unsubscribeUrl!))).status).toBe(400);
    const done = await callApi(cloud, IP, 'POST', pathOf(unsubscribeUrl!), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain('Vous êtes désabonné(e)');

    // Deleted; only the suppression entry is left, without the address.
    const items = await addressItems();
    expect(items.map((i) => i.entity)).toEqual(['newsletter-suppression']);
    const { Item: suppression } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: subscriptionPk, sk: 'SUPPRESSION' } }),
    );
    expect(suppression).toMatchObject({ reason: 'unsubscribed', retentionPurpose: 'newsletter-suppression' });
    expect(JSON.stringify(suppression)).not.toContain(email);
    // The same POST again: the same page (a mail provider may retry).
    const twice = await callApi(cloud, IP, 'POST', pathOf(unsubscribeUrl!), {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(twice.status).toBe(200);
  });

  it('ends a subscription SES reports as a permanent bounce, and mails that address nothing any more', async () => {
    const bounced = `rebond.${marker}@example.test`;
    expect((await subscribe(bounced)).response.status).toBe(202);
    const mail = await waitForMail(cloud.urls.mailStore, (m) => m.destination.to.includes(bounced));
    expect((await callApi(cloud, IP, 'POST', pathOf(linkIn(mail, 'confirmation')))).status).toBe(200);
    // SNS is not emulated: the function gets, through Lambda Invoke, the event SNS delivers in AWS:
    // the configuration set's bounce event (eventType) as the message of an SNS record.
    const notification = {
      eventType: 'Bounce',
      bounce: {
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: bounced, status: '5.1.1', action: 'failed' }],
        timestamp: new Date().toISOString(),
        feedbackId: randomUUID(),
      },
      mail: {
        timestamp: new Date().toISOString(),
        source: mail.from,
        messageId: mail.messageId,
        destination: [bounced],
        tags: { 'ses:configuration-set': [mail.configurationSet] },
      },
    };
    const topicArn = 'arn:aws:sns:eu-west-3:000000000000:mpbe-local-newsletter-feedback';
    const event: SNSEvent = {
      Records: [
        {
          EventSource: 'aws:sns',
          EventVersion: '1.0',
          EventSubscriptionArn: `${topicArn}:${randomUUID()}`,
          Sns: {
            Type: 'Notification',
            MessageId: randomUUID(),
            TopicArn: topicArn,
            Subject: '',
            Message: JSON.stringify(notification),
            Timestamp: new Date().toISOString(),
            SignatureVersion: '1',
            Signature: 'local',
            SigningCertUrl: 'https://sns.eu-west-3.amazonaws.com/local.pem',
            UnsubscribeUrl: 'https://sns.eu-west-3.amazonaws.com/?Action=Unsubscribe',
            MessageAttributes: {},
          },
        },
      ],
    };
    const invoked = await fetch(`${cloud.urls.aws}/2015-03-31/functions/recordSesFeedback/invocations`, {
      method: 'POST',
      body: JSON.stringify(event),
    });
    expect(invoked.status).toBe(200);
    const items = (
      await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'bySubject',
          KeyConditionExpression: 'subjectKey = :s',
          ExpressionAttributeValues: { ':s': subjectKeyForEmail(bounced) },
        }),
      )
    ).Items;
    expect(items?.map((i) => i.entity)).toEqual(['newsletter-suppression']);
    const { Item: suppression } = await db.send(
      new GetCommand({ TableName: table, Key: { pk: items![0]!.pk, sk: 'SUPPRESSION' } }),
    );
    expect(suppression).toMatchObject({ reason: 'bounce' });
    // The same answer to a new request, and no mail to the address.
    const mailed = (await mails(cloud.urls.mailStore)).filter((m) => m.destination.to.includes(bounced)).length;
    expect((await subscribe(bounced)).response.status).toBe(202);
    await new Promise((r) => setTimeout(r, 300));
    expect((await mails(cloud.urls.mailStore)).filter((m) => m.destination.to.includes(bounced))).toHaveLength(mailed);
  });

  it('puts a signed-in person’s subscription, with its proof of consent, in their export', async () => {
    const person = await signedInPerson(cloud, 'client');
    await apiClient(cloud, IP).POST('/newsletter/subscriptions', {
      body: { email: person.email, wordingVersion: WORDING, source: 'app' },
    });
    const mail = await waitForMail(
      cloud.urls.mailStore,
      (m) => m.destination.to.includes(person.email) && m.subject.startsWith('Confirmez votre inscription'),
    );
    expect((await callApi(cloud, IP, 'POST', pathOf(linkIn(mail, 'confirmation')))).status).toBe(200);

    const started = await callAs(cloud, IP, person, 'POST', '/me/exports');
    expect(started.status).toBe(202);
    const { exportId, expectedParts } = JSON.parse(started.body) as { exportId: string; expectedParts: string[] };
    expect(expectedParts).toContain('newsletter');
    const document = await until('the export', async () => {
      const view = JSON.parse((await callAs(cloud, IP, person, 'GET', `/me/exports/${exportId}`)).body) as {
        state: string;
        document?: {
          parts: Record<string, Record<string, Record<string, unknown>[]>>;
          readme: {
            parts: Record<string, { records: Record<string, { fields: Record<string, string> }> }>;
            withheld: Record<string, string>;
          };
        };
      };
      return view.state === 'ready' ? view.document : undefined;
    });
    const [record] = document!.parts.newsletter?.['newsletter-subscription'] ?? [];
    expect(record).toMatchObject({ email: person.email, wordingVersion: WORDING, source: 'app' });
    expect(record).toHaveProperty('confirmedAt');
    expect(record).toHaveProperty('keptUntil');
    const explained = document!.readme.parts.newsletter?.records['newsletter-subscription']?.fields ?? {};
    for (const field of Object.keys(record!).filter((f) => f !== 'keptUntil'))
      expect(explained, field).toHaveProperty([field]);
    expect(document!.readme.withheld['newsletter-suppression']).toBeDefined();
  }, 60_000);

  it('logs no address', () => {
    const log = readFileSync(cloud.logFile, 'utf8');
    expect(log).toContain('Newsletter subscription request');
    expect(log).toContain('Newsletter unsubscription');
    expect(log).toContain('SES feedback');
    expect(log).not.toContain(marker);
  });
});

/**
 * The local SES emulator (local/services/ses.ts) with the real SES v1 client: a send naming one of
 * the account's configuration sets is kept with the set it named; one naming a set the account
 * does not have is refused as SES refuses it (ConfigurationSetDoesNotExist), where the bare
 * emulator accepted any name; a send naming none is kept as before.
 */
import { SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SesLocal, startSesLocal } from '#local/services/ses.ts';
import { mails } from '../support/mail.ts';

const SET = 'mpbe-test-newsletter';
let ses: SesLocal;
let client: SESClient;

beforeAll(async () => {
  ses = await startSesLocal({ port: 0, configurationSets: [SET] });
  client = new SESClient({
    endpoint: ses.endpoint,
    region: 'eu-west-3',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client?.destroy();
  await ses?.stop();
});

const sendEmail = (to: string, configurationSet?: string) =>
  client.send(
    new SendEmailCommand({
      Source: 'no-reply@monprodubienetre.fr',
      Destination: { ToAddresses: [to] },
      Message: { Subject: { Data: 'Objet' }, Body: { Text: { Data: 'Texte' } } },
      ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
    }),
  );

const stored = async (to: string) =>
  (await mails(`${ses.endpoint}/store`)).filter((m) => m.destination.to.includes(to));

describe('the SES emulator’s configuration sets', () => {
  it('keeps a mail with the set it named, SendEmail and SendRawEmail alike', async () => {
    const to = `set.${Date.now()}@example.test`;
    await sendEmail(to, SET);
    const raw = [
      'From: no-reply@monprodubienetre.fr',
      `To: ${to}`,
      'Subject: Brut',
      'List-Id: <newsletter.example.test>',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Texte',
    ].join('\r\n');
    await client.send(
      new SendRawEmailCommand({
        Source: 'no-reply@monprodubienetre.fr',
        Destinations: [to],
        RawMessage: { Data: Buffer.from(raw, 'utf8') },
        ConfigurationSetName: SET,
      }),
    );
    const kept = await stored(to);
    expect(kept.map((m) => [m.subject, m.configurationSet])).toEqual([
      ['Objet', SET],
      ['Brut', SET],
    ]);
    // The raw message's list headers are still kept.
    expect(kept[1]?.headers).toEqual([{ name: 'List-Id', value: '<newsletter.example.test>' }]);
  });

  it('refuses a set the account does not have, as SES does, and stores nothing', async () => {
    const to = `unknown.${Date.now()}@example.test`;
    const refused = await sendEmail(to, 'mpbe-test-other').then(
      () => undefined,
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
    );
    expect(refused?.name).toMatch(/^ConfigurationSetDoesNotExist/);
    expect(refused?.$metadata?.httpStatusCode).toBe(400);
    expect(refused?.message).toContain('mpbe-test-other');
    expect(await stored(to)).toEqual([]);
  });

  it('keeps a mail naming no set without one', async () => {
    const to = `plain.${Date.now()}@example.test`;
    await sendEmail(to);
    const [mail] = await stored(to);
    expect(mail).toBeDefined();
    expect(mail).not.toHaveProperty('configurationSet');
  });
});

import { type SESClient, SendEmailCommand, SendRawEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from './mail.ts';
import { rawMessage } from './mime.ts';

/**
 * Sends mail through SES (the SES emulator locally). Addresses are never logged here. A mail with
 * attachments or extra headers goes as a raw MIME message (SendRawEmail, same IAM grant); any
 * other as SendEmail. With a `configurationSet` (the newsletter's, ADR 0020), every mail names it
 * (`ConfigurationSetName`): SES then publishes its bounces and complaints, and authorizes the send
 * on the set as well as on the identity. Without one, nothing is named.
 */
export function sesMailer(deps: {
  client: SESClient;
  from: string;
  configurationSet?: string;
  now?: () => Date;
}): Mailer {
  const configuration = deps.configurationSet ? { ConfigurationSetName: deps.configurationSet } : {};
  return {
    async send(mail) {
      if (mail.attachments?.length || mail.headers?.length) {
        const raw = rawMessage(mail, { from: deps.from, date: deps.now?.() ?? new Date() });
        const result = await deps.client.send(
          new SendRawEmailCommand({
            Source: deps.from,
            Destinations: [...mail.to],
            RawMessage: { Data: Buffer.from(raw, 'utf8') },
            ...configuration,
          }),
        );
        return { messageId: result.MessageId ?? '' };
      }
      const result = await deps.client.send(
        new SendEmailCommand({
          Source: deps.from,
          Destination: { ToAddresses: [...mail.to] },
          ReplyToAddresses: mail.replyTo ? [...mail.replyTo] : undefined,
          Message: {
            Subject: { Data: mail.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: mail.text, Charset: 'UTF-8' },
              ...(mail.html ? { Html: { Data: mail.html, Charset: 'UTF-8' } } : {}),
            },
          },
          ...configuration,
        }),
      );
      return { messageId: result.MessageId ?? '' };
    },
  };
}

import { type SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import type { Mailer } from './mail.ts';

/** Sends mail through SES (the SES emulator locally). Addresses are never logged here. */
export function sesMailer(deps: { client: SESClient; from: string }): Mailer {
  return {
    async send(mail) {
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
        }),
      );
      return { messageId: result.MessageId ?? '' };
    },
  };
}

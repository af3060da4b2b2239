/** An email to send: plain data, so domain code can build it without knowing SES. */
export interface Mail {
  readonly to: readonly string[];
  readonly replyTo?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Files sent with the mail (a calendar invitation…): the mailer then sends a raw MIME message. */
  readonly attachments?: readonly MailAttachment[];
}

export interface MailAttachment {
  /** A plain ASCII file name, e.g. `rendez-vous.ics`. */
  readonly filename: string;
  /** The full media type, parameters included, e.g. `text/calendar; charset=UTF-8; method=REQUEST`. */
  readonly contentType: string;
  /** Text is sent as UTF-8. */
  readonly content: string | Uint8Array;
}

export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

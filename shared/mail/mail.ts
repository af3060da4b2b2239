/** An email to send: plain data, so domain code can build it without knowing SES. */
export interface Mail {
  readonly to: readonly string[];
  readonly replyTo?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Files sent with the mail (a calendar invitation…): the mailer then sends a raw MIME message. */
  readonly attachments?: readonly MailAttachment[];
  /**
   * Extra header lines (a newsletter's List-Unsubscribe, RFC 2369 and 8058): the mailer then
   * sends a raw MIME message. Only the names below, with printable ASCII values.
   */
  readonly headers?: readonly MailHeader[];
}

/** The headers a mail may add: none that SES or the message itself sets (From, To, Subject…). */
export const extraHeaderNames = ['List-Unsubscribe', 'List-Unsubscribe-Post', 'List-Id'] as const;

export interface MailHeader {
  readonly name: (typeof extraHeaderNames)[number];
  /** Printable ASCII, one line (checked when the message is built). */
  readonly value: string;
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

/** An email to send: plain data, so domain code can build it without knowing SES. */
export interface Mail {
  readonly to: readonly string[];
  readonly replyTo?: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

export interface Mailer {
  send(mail: Mail): Promise<{ messageId: string }>;
}

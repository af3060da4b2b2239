/** Reads the mail the SES emulator received (GET /store), waiting for the one a test expects. */
export interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; content: string }[];
  /** Extra headers kept by the emulator (List-Unsubscribe…: local/services/ses.ts). */
  headers?: { name: string; value: string }[];
  /** The SES configuration set the send named, if any (kept by local/services/ses.ts). */
  configurationSet?: string;
  at: number;
}

export async function mails(storeUrl: string): Promise<StoredMail[]> {
  const res = await fetch(storeUrl);
  return ((await res.json()) as { emails: StoredMail[] }).emails;
}

export async function waitForMail(
  storeUrl: string,
  match: (m: StoredMail) => boolean,
  timeoutMs = 10_000,
): Promise<StoredMail> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const found = (await mails(storeUrl)).find(match);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No matching mail within ${timeoutMs} ms`);
}

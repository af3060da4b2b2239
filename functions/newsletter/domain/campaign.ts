/**
 * Newsletter campaigns, pure (ADR 0020): what staff write (subject, text, HTML), the links in it
 * (each must lead to an allow-listed target: the tracked redirect is no open redirect), their
 * rewriting into tracked links per subscriber, and the mail each subscriber gets.
 */
import type { Mail } from '#shared/mail/mail.ts';
import { escapeHtml, footer, listHeaders, type NewsletterLinks } from './mails.ts';

export const campaignStates = ['draft', 'sending', 'sent'] as const;
export type CampaignState = (typeof campaignStates)[number];

/** At most this many distinct links in a campaign. */
export const MAX_LINKS = 50;

export interface Campaign {
  /** `cmp_` + 32 hex digits. */
  readonly id: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** The distinct targets of the campaign's links, in order of appearance: `/newsletter/links/{id}/{index}`. */
  readonly links: readonly string[];
  readonly state: CampaignState;
  readonly createdAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Mails sent, and recipients whose mail failed (counted once, not retried by this campaign). */
  readonly sent: number;
  readonly failed: number;
  /** The last subscriber (by the audience index's order) whose mail is done: where a run resumes. */
  readonly cursor?: string;
  readonly version: number;
}

const TEXT_URL = /https?:\/\/[^\s<>"']+/g;
const HREF = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/gi;

/** The URL at the end of a sentence, without its final punctuation. */
const trimmed = (url: string) => url.replace(/[.,;:!?)\]]+$/, '');
const decodeAttribute = (value: string) =>
  value
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

export interface LinkProblem {
  readonly field: 'text' | 'html';
  readonly message: string;
}

/**
 * The distinct http(s) links of the text and of the HTML's href attributes, in order; and what is
 * wrong with them: a target off the allow-list, an href that is neither http(s) nor mailto, too
 * many links. Messages name the rule, never the URL.
 */
export function campaignLinks(
  text: string,
  html: string,
  isAllowed: (target: string) => boolean,
): { links: string[]; problems: LinkProblem[] } {
  const links: string[] = [];
  const problems: LinkProblem[] = [];
  const add = (field: 'text' | 'html', url: string) => {
    if (!isAllowed(url)) {
      if (!problems.some((p) => p.field === field && p.message.startsWith('a link')))
        problems.push({ field, message: 'a link leads outside the allowed targets (NEWSLETTER_LINK_TARGETS)' });
      return;
    }
    if (!links.includes(url)) links.push(url);
  };
  for (const match of text.matchAll(TEXT_URL)) add('text', trimmed(match[0]));
  for (const match of html.matchAll(HREF)) {
    const value = decodeAttribute(match[2] ?? match[3] ?? '').trim();
    if (/^mailto:/i.test(value)) continue;
    if (!/^https?:\/\//i.test(value)) {
      if (!problems.some((p) => p.field === 'html' && p.message.startsWith('an href')))
        problems.push({ field: 'html', message: 'an href that is neither an http(s) link nor mailto:' });
      continue;
    }
    add('html', value);
  }
  if (links.length > MAX_LINKS) problems.push({ field: 'html', message: `at most ${MAX_LINKS} distinct links` });
  return { links, problems };
}

/** The campaign's text and HTML with every allowed link replaced by its tracked link. */
export function trackedContent(
  campaign: Pick<Campaign, 'text' | 'html' | 'links'>,
  tracked: (index: number) => string,
): { text: string; html: string } {
  const indexOf = (url: string) => campaign.links.indexOf(url);
  const text = campaign.text.replace(TEXT_URL, (found) => {
    const url = trimmed(found);
    const index = indexOf(url);
    return index < 0 ? found : tracked(index) + found.slice(url.length);
  });
  const html = campaign.html.replace(HREF, (whole, _quoted, double?: string, single?: string) => {
    const index = indexOf(decodeAttribute(double ?? single ?? '').trim());
    return index < 0 ? whole : `href="${escapeHtml(tracked(index))}"`;
  });
  return { text, html };
}

/** One subscriber's mail: tracked links, the footer, the one-click unsubscribe headers. */
export function campaignMail(
  to: string,
  campaign: Pick<Campaign, 'subject' | 'text' | 'html' | 'links'>,
  links: NewsletterLinks,
  tracked: (index: number) => string,
): Mail {
  const content = trackedContent(campaign, tracked);
  const foot = footer(links);
  return {
    to: [to],
    subject: campaign.subject,
    text: `${content.text}\n${foot.text}`,
    html: `${content.html}${foot.html}`,
    headers: listHeaders(links),
  };
}

/** The page the tracked redirect answers with its 302, for a client that does not follow it. */
export function redirectPage(target: string): string {
  const href = escapeHtml(target);
  return `<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Redirection</title></head><body><p><a href="${href}">Continuer vers ${href}</a></p></body></html>`;
}

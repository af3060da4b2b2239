/** A page as the HTTP handlers answer it: French HTML with its Content-Security-Policy. */
import type { RawResult } from '#shared/http/handler.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { PAGE_SECURITY_POLICY, pages } from './domain/pages.ts';
import type { LinkOutcome } from './use-cases.ts';

export function htmlResult(status: number, html: string): RawResult {
  return {
    status,
    rawBody: html,
    contentType: 'text/html; charset=utf-8',
    headers: { 'Content-Security-Policy': PAGE_SECURITY_POLICY },
  };
}

/**
 * The page of a link's outcome: 200; or 410 for a link that is not (any more) valid: a page for a
 * browser (Accept: text/html), a problem for anything else (every error of the API is one).
 */
export function outcomePage(outcome: LinkOutcome, accept: string | undefined): RawResult {
  if (outcome === 'invalid') {
    if (/\btext\/html\b/i.test(accept ?? '')) return htmlResult(410, pages.expired());
    throw new HttpProblem(410, 'Gone', 'This link is not valid (any more): ask again from the site');
  }
  const page = { confirmed: pages.confirmed, unsubscribed: pages.unsubscribed, renewed: pages.renewed }[outcome];
  return htmlResult(200, page());
}

/**
 * The campaigns' use cases (ADR 0020): staff (support) write a campaign and start it; the sender
 * goes through the confirmed subscribers in bounded batches from a checkpoint, each mail with its
 * tracked links and one-click unsubscribe; a click on a tracked link restarts the subscriber's
 * 3-year clock and leads to the link's target, an allow-listed one only.
 */
import { NewsletterCampaignProgressed, NewsletterCampaignSent, NewsletterCampaignStarted } from '#events/catalogue.ts';
import { HttpProblem } from '#shared/http/problem.ts';
import { isDependencyUnavailable } from '#shared/http/unavailable.ts';
import { newId } from '#shared/ids.ts';
import { isAllowedTarget } from '#shared/newsletter-config.ts';
import type { CampaignStore } from './adapters/campaign-store.ts';
import { type Campaign, campaignLinks, campaignMail } from './domain/campaign.ts';
import { linksFor, type NewsletterDeps, recordContact } from './use-cases.ts';

export interface CampaignDeps extends NewsletterDeps {
  readonly campaigns: CampaignStore;
  /** Where links may lead (NEWSLETTER_LINK_TARGETS). */
  readonly linkTargets: readonly string[];
  /** Milliseconds between two mails: SES's sending rate (14 a second by default) with room. */
  readonly pauseMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** SES unavailable, or over its sending rate (SES v1 names it `Throttling`): the run stops, to resume. */
const retryable = (error: unknown) => isDependencyUnavailable(error) || (error as Error)?.name === 'Throttling';

/** Subscribers read per batch; the checkpoint is saved after each. */
export const BATCH_SIZE = 25;
const DEFAULT_PAUSE_MS = 100;

export type CampaignView = Omit<Campaign, 'cursor' | 'version'>;

const viewOf = ({ cursor: _cursor, version: _version, ...view }: Campaign): CampaignView => view;

export async function createCampaign(
  deps: Pick<CampaignDeps, 'campaigns' | 'linkTargets' | 'clock'>,
  input: { readonly subject: string; readonly text: string; readonly html: string },
): Promise<CampaignView> {
  const { links, problems } = campaignLinks(input.text, input.html, (url) => isAllowedTarget(url, deps.linkTargets));
  if (problems.length > 0) {
    throw new HttpProblem(422, 'Unprocessable content', 'The campaign’s links are not all allowed', {
      errors: problems.map((p) => ({ field: p.field, message: p.message })),
    });
  }
  const campaign: Campaign = {
    id: newId('cmp'),
    ...input,
    links,
    state: 'draft',
    createdAt: deps.clock.now().toISOString(),
    sent: 0,
    failed: 0,
    version: 1,
  };
  await deps.campaigns.create(campaign);
  return viewOf(campaign);
}

const notFound = () => new HttpProblem(404, 'Not found', 'No campaign with this id');

export async function getCampaign(deps: Pick<CampaignDeps, 'campaigns'>, id: string): Promise<CampaignView> {
  const campaign = await deps.campaigns.get(id);
  if (!campaign) throw notFound();
  return viewOf(campaign);
}

export async function startCampaign(
  deps: Pick<CampaignDeps, 'campaigns' | 'events' | 'clock'>,
  id: string,
  correlationId: string,
): Promise<CampaignView> {
  const started = await deps.campaigns.start(id, deps.clock.now());
  if (started === 'not-found') throw notFound();
  if (started === 'not-draft') throw new HttpProblem(409, 'Conflict', 'The campaign was started already');
  await deps.events.publish(NewsletterCampaignStarted, { campaignId: id }, { correlationId });
  return viewOf(started);
}

const trackedUrl = (base: string, campaignId: string, clickToken: string) => (index: number) =>
  `${base}/newsletter/links/${campaignId}/${index}?token=${encodeURIComponent(clickToken)}`;

export interface SendReport {
  readonly sent: number;
  readonly failed: number;
  readonly state: 'sent' | 'paused' | 'elsewhere';
}

/**
 * A run of the sender: batch after batch from the campaign's checkpoint until the audience is
 * gone through (NewsletterCampaignSent) or the run's time is nearly up (NewsletterCampaignProgressed:
 * the next run goes on). Each subscriber is noted on its subscription before its mail (one mail
 * per campaign and subscriber, whatever the retries); a mail SES refuses for the address is
 * counted failed; SES unavailable stops the run with the checkpoint saved before that subscriber,
 * and the event's retry resumes. Another run ahead (a duplicated event) makes this one stop.
 */
export async function sendCampaign(
  deps: CampaignDeps,
  campaignId: string,
  options: { exhausted?: () => boolean } = {},
): Promise<SendReport> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let sent = 0;
  let failed = 0;
  for (;;) {
    const campaign = await deps.campaigns.get(campaignId);
    if (campaign?.state !== 'sending') return { sent, failed, state: 'elsewhere' };
    const now = deps.clock.now();
    const page = await deps.store.audiencePage(campaign.cursor, BATCH_SIZE, now);
    let batch = { sent: 0, failed: 0, cursor: campaign.cursor };
    for (const recipient of page.recipients) {
      if (await deps.store.claimCampaign(recipient.digest, campaignId)) {
        const links = await linksFor(deps, recipient.digest);
        const mail = campaignMail(
          recipient.email,
          campaign,
          links,
          trackedUrl(deps.linkBase, campaignId, links.clickToken),
        );
        try {
          await deps.mailer.send(mail);
          batch = { ...batch, sent: batch.sent + 1 };
        } catch (error) {
          if (retryable(error)) {
            await deps.store.releaseCampaign(recipient.digest, campaignId);
            await deps.campaigns.saveProgress(campaign, { ...batch, done: false }, deps.clock.now());
            throw error;
          }
          batch = { ...batch, failed: batch.failed + 1 };
        }
        await sleep(deps.pauseMs ?? DEFAULT_PAUSE_MS);
      }
      batch = { ...batch, cursor: recipient.digest };
    }
    const done = page.next === undefined;
    const saved = await deps.campaigns.saveProgress(
      campaign,
      { ...batch, cursor: page.next ?? batch.cursor, done },
      deps.clock.now(),
    );
    if (!saved) return { sent, failed, state: 'elsewhere' };
    sent += batch.sent;
    failed += batch.failed;
    if (done) {
      await deps.events.publish(NewsletterCampaignSent, { campaignId, sent: saved.sent, failed: saved.failed });
      return { sent, failed, state: 'sent' };
    }
    if (options.exhausted?.()) {
      await deps.events.publish(NewsletterCampaignProgressed, { campaignId, sent: saved.sent });
      return { sent, failed, state: 'paused' };
    }
  }
}

/**
 * A tracked link: its target, if the campaign (started) has that link and the target is still
 * allow-listed (no open redirect: the target never comes from the request); the click restarts
 * the subscriber's clock when the token is theirs (a forwarded mail's reader clicks as them).
 */
export async function followLink(
  deps: Pick<CampaignDeps, 'campaigns' | 'store' | 'clock' | 'pepper' | 'linkTargets'>,
  campaignId: string,
  index: number,
  token: string | undefined,
): Promise<string> {
  const campaign = await deps.campaigns.get(campaignId);
  const target = campaign && campaign.state !== 'draft' ? campaign.links[index] : undefined;
  if (!target || !isAllowedTarget(target, deps.linkTargets)) throw new HttpProblem(404, 'Not found', 'No such link');
  if (token) await recordContact(deps, token);
  return target;
}

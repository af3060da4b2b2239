/**
 * The daily purge (schedule `daily-retention-purge`): runs until done or until 2 minutes before
 * the function's timeout, then reports `complete: false`; the next run resumes from the
 * checkpoints. It always purges up to now: there is no "as of" input (a date in the future would
 * delete data early). Logs counts only.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '#shared/logger.ts';
import { purgeDeps } from '../composition-purge.ts';
import { purgeExpiredItems } from '../purge.ts';

/** Left to save the checkpoint and publish the outcome after the last page. */
export const STOP_BEFORE_TIMEOUT_MS = 120_000;

const deps = purgeDeps();

export const handler = middy<unknown, unknown>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event, context: Context) => {
    const report = await purgeExpiredItems(deps, {
      exhausted: () => context.getRemainingTimeInMillis() < STOP_BEFORE_TIMEOUT_MS,
    });
    const summary = {
      runId: report.runId,
      complete: report.complete,
      itemsRead: report.itemsRead,
      itemsDeleted: report.itemsDeleted,
      deletedByPurpose: report.deletedByPurpose,
      skippedUnderHold: report.skippedUnderHold,
      noLongerDue: report.noLongerDue,
      tables: report.tables.map((t) => ({ table: t.table, clearedBefore: t.clearedBefore, complete: t.complete })),
    };
    if (report.complete) logger.info('Retention purge completed', summary);
    else logger.warn('Retention purge stopped before the end; the next run resumes', summary);
    return summary;
  });

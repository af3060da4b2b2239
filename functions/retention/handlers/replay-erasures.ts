/**
 * Operations, after a point-in-time restore (docs/runbooks/restore-and-replay-erasures.md):
 * `aws lambda invoke --payload '{"since":"<restore time>","tables":{"contact":"<restored table>"}}'`.
 * Deletes again every key erased since `since`, then makes legal holds match the retention table.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/logger.ts';
import { replayDeps } from '../composition-holds.ts';
import { ReplayErasuresInput } from '../contract.ts';
import { replayAfterRestore } from '../erasure.ts';

export const handler = middy<unknown, Awaited<ReturnType<typeof replayAfterRestore>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const input = ReplayErasuresInput.parse(event);
    const result = await replayAfterRestore(replayDeps(input.tables), new Date(input.since), 'operations');
    logger.info('Erasures replayed', result);
    return result;
  });

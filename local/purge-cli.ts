/**
 * `npm run purge`: runs the retention purge (functions/retention/purge.ts, built by the same
 * composition root as the Lambda function) against a running local cloud, and prints what it
 * deleted per purpose, the items it read per item deleted, and how long it took. It purges up to
 * now, like the scheduled function: there is no "as of" date.
 *
 *   npm run purge                          the local cloud of `npm start` (default ports)
 *   MPBE_DYNAMODB_PORT=8001 MPBE_AWS_PORT=4011 npm run purge     other ports, as for npm start
 *   MPBE_READY_FILE=path npm run purge     the local cloud that wrote this ready file
 *   npm run purge -- --ready path          the same
 */
import { localCloudEnv } from './cli-env.ts';

const env = localCloudEnv();
// The composition root reads its configuration from the environment, as in Lambda.
Object.assign(process.env, env);
const { purgeDeps } = await import('#functions/retention/composition-purge.ts');
const { purgeExpiredItems } = await import('#functions/retention/purge.ts');

const started = performance.now();
try {
  const deps = purgeDeps();
  const report = await purgeExpiredItems(deps);
  const seconds = (performance.now() - started) / 1000;
  const purposes = Object.entries(report.deletedByPurpose).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(20, ...purposes.map(([p]) => p.length));
  const lines = [
    '',
    `  Retention purge of the local cloud (${env.AWS_ENDPOINT_URL_DYNAMODB}), up to ${deps.clock.now().toISOString()}`,
    '',
    `  ${'purpose'.padEnd(width)}  deleted`,
    ...(purposes.length > 0
      ? purposes.map(([purpose, n]) => `  ${purpose.padEnd(width)}  ${String(n).padStart(7)}`)
      : [`  ${'(nothing was due)'.padEnd(width)}  ${'0'.padStart(7)}`]),
    '',
    `  items read        ${report.itemsRead}`,
    `  items deleted     ${report.itemsDeleted}`,
    `  read per deleted  ${report.itemsDeleted > 0 ? (report.itemsRead / report.itemsDeleted).toFixed(2) : '-'}`,
    `  under legal hold  ${report.skippedUnderHold} (kept)`,
    `  no longer due     ${report.noLongerDue} (kept)`,
    `  tables            ${report.tables.map((t) => `${t.table} cleared before ${t.clearedBefore}`).join(', ')}`,
    `  ${report.complete ? 'complete' : 'stopped before the end (the next run resumes)'} in ${seconds.toFixed(2)} s`,
    '',
  ];
  console.log(lines.join('\n'));
  process.exit(0);
} catch (error) {
  console.error(`\n  ✖ The purge failed: ${(error as Error).name}: ${(error as Error).message}`);
  console.error('    Is the local cloud running (npm start)?\n');
  process.exit(1);
}

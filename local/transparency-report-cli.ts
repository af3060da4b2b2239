/**
 * `npm run transparency-report -- --from 2026-01-01 --to 2026-12-31`: prints the transparency
 * report on reports and their moderation (functions/reviews/domain/transparency.ts, read by the
 * same use case as GET /moderation/transparency-report) from a running local cloud's tables, as
 * JSON. Counts and durations only: no id, no person, no text.
 *
 *   MPBE_DYNAMODB_PORT=8001 npm run transparency-report -- --from … --to …   other ports, as for npm start
 *   npm run transparency-report -- --ready path --from … --to …               the local cloud that wrote this ready file
 */
import { localCloudEnv } from './cli-env.ts';

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

if (import.meta.main) {
  const { TransparencyQuery } = await import('#functions/reviews/contracts/reports.ts');
  const query = TransparencyQuery.safeParse({ from: arg('from'), to: arg('to') });
  if (!query.success) {
    console.error('Usage: npm run transparency-report -- --from YYYY-MM-DD --to YYYY-MM-DD (at most 366 days)');
    for (const issue of query.error.issues) console.error(`  ${issue.path.join('.') || 'period'}: ${issue.message}`);
    process.exit(2);
  }
  // The composition root reads its configuration from the environment, as in Lambda.
  Object.assign(process.env, localCloudEnv());
  const { reportDeps } = await import('#functions/reviews/composition-reports.ts');
  const { transparencyReportOf } = await import('#functions/reviews/report-use-cases.ts');
  try {
    console.log(JSON.stringify(await transparencyReportOf(reportDeps(), query.data), null, 2));
    process.exit(0);
  } catch (error) {
    console.error(`✖ The transparency report failed: ${(error as Error).name}: ${(error as Error).message}`);
    console.error('  Is the local cloud running (npm start)?');
    process.exit(1);
  }
}

/**
 * `npm run transparency-report -- --from 2026-01-01 --to 2026-12-31`: prints the transparency
 * report on reports and their moderation (functions/reviews/domain/transparency.ts, read by the
 * same use case as GET /moderation/transparency-report) from a running local cloud's tables, as
 * JSON. Counts and durations only: no id, no person, no text.
 *
 *   MPBE_DYNAMODB_PORT=8001 npm run transparency-report -- --from … --to …   other ports, as for npm start
 *   npm run transparency-report -- --ready path --from … --to …               the local cloud that wrote this ready file
 */
import { readFileSync } from 'node:fs';
import { type TableDefinition, tables } from '#shared/tables.ts';
import { physicalTableName } from './services/dynamodb.ts';

const arg = (name: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};

function cloudEnv(): Record<string, string> {
  const readyFile = arg('ready') ?? process.env.MPBE_READY_FILE;
  if (readyFile) return (JSON.parse(readFileSync(readyFile, 'utf8')) as { env: Record<string, string> }).env;
  // What the environment sets wins (a test passes its cloud's), then npm start's defaults.
  const defaults: Record<string, string> = {
    AWS_REGION: 'eu-west-3',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${Number(process.env.MPBE_DYNAMODB_PORT ?? 8000)}`,
    ...Object.fromEntries(
      (Object.values(tables) as TableDefinition[]).map((t) => [t.envVar, physicalTableName('mpbe-local-', t)]),
    ),
  };
  return Object.fromEntries(Object.entries(defaults).map(([name, value]) => [name, process.env[name] ?? value]));
}

if (import.meta.main) {
  const { TransparencyQuery } = await import('#functions/reviews/contracts/reports.ts');
  const query = TransparencyQuery.safeParse({ from: arg('from'), to: arg('to') });
  if (!query.success) {
    console.error('Usage: npm run transparency-report -- --from YYYY-MM-DD --to YYYY-MM-DD (at most 366 days)');
    for (const issue of query.error.issues) console.error(`  ${issue.path.join('.') || 'period'}: ${issue.message}`);
    process.exit(2);
  }
  // The composition root reads its configuration from the environment, as in Lambda.
  Object.assign(process.env, cloudEnv());
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

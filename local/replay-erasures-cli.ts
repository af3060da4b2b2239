/**
 * `npm run replay-erasures -- --since <ISO date> [--table <logical>=<physical> ...]`
 *
 * Against the local cloud (`npm start`; DynamoDB Local on MPBE_DYNAMODB_PORT, 8000 by default),
 * runs what the `replayErasures` function runs in AWS after a point-in-time restore: deletes again
 * every key the erasure log holds since the date, then makes legal holds match the retention
 * table. `--table contact=mpbe-local-contact-restored` points a table at a restored copy (the
 * retention table, holding the erasure log, is never restored). See
 * docs/runbooks/restore-and-replay-erasures.md.
 */
import { parseArgs } from 'node:util';
import { tables } from '#shared/tables.ts';
import { physicalTableName } from './services/dynamodb.ts';

const usage = 'Usage: npm run replay-erasures -- --since <ISO date> [--table <logical>=<physical> ...]';

const { values } = parseArgs({
  options: { since: { type: 'string' }, table: { type: 'string', multiple: true }, help: { type: 'boolean' } },
});
if (values.help || !values.since) {
  console.log(usage);
  process.exit(values.help ? 0 : 2);
}

const env = process.env;
env.AWS_REGION ??= 'eu-west-3';
env.AWS_ACCESS_KEY_ID ??= 'local';
env.AWS_SECRET_ACCESS_KEY ??= 'local';
env.AWS_ENDPOINT_URL_DYNAMODB ??= `http://127.0.0.1:${env.MPBE_DYNAMODB_PORT ?? '8000'}`;
env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
for (const table of Object.values(tables)) env[table.envVar] ??= physicalTableName('mpbe-local-', table);

// Imported once the environment is set: the composition reads table names and endpoints from it.
const { ReplayErasuresInput } = await import('#functions/retention/contract.ts');
const { replayDeps } = await import('#functions/retention/composition-holds.ts');
const { replayAfterRestore } = await import('#functions/retention/erasure.ts');

const parsed = ReplayErasuresInput.safeParse({
  since: values.since,
  ...(values.table ? { tables: Object.fromEntries(values.table.map((pair) => pair.split('=', 2))) } : {}),
});
if (!parsed.success) {
  console.error(
    `${parsed.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('\n')}\n${usage}`,
  );
  process.exit(2);
}
const result = await replayAfterRestore(replayDeps(parsed.data.tables), new Date(parsed.data.since), 'operations');
console.log(`Replayed the erasures logged since ${result.since} (${env.AWS_ENDPOINT_URL_DYNAMODB}):`);
console.log(`  erasures replayed       ${result.erasures}`);
console.log(`  keys replayed           ${result.keysReplayed}`);
console.log(`  items deleted again     ${result.itemsDeletedAgain}`);
console.log(`  items held again        ${result.holdsItemsHeld}`);
console.log(`  items released again    ${result.holdsItemsReleased}`);

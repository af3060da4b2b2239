/**
 * `npm run register`: writes the register of processing (GDPR art. 30) as Markdown to
 * docs/register-of-processing.md, from the same code that serves it as JSON to the DPO
 * (GET /privacy/register). `npm run register -- --check` only says whether the file is up to date
 * (exit 1 when not); test/unit/register.test.ts does the same on every test run.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerOfProcessing, registerOfProcessingMarkdown } from '#functions/retention/register.ts';

const REGISTER_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'register-of-processing.md');

if (import.meta.main) {
  const markdown = registerOfProcessingMarkdown();
  const current = existsSync(REGISTER_FILE) ? readFileSync(REGISTER_FILE, 'utf8') : undefined;
  if (process.argv.includes('--check')) {
    if (current !== markdown) {
      console.error('docs/register-of-processing.md is out of date: run `npm run register`.');
      process.exit(1);
    }
    console.log('docs/register-of-processing.md is up to date.');
  } else {
    writeFileSync(REGISTER_FILE, markdown);
    const { purposes } = registerOfProcessing();
    console.log(
      `${current === markdown ? 'Unchanged' : 'Wrote'} docs/register-of-processing.md (${purposes.length} purposes):`,
    );
    for (const purpose of purposes) console.log(`  ${purpose.id.padEnd(22)} ${purpose.retention.statement}`);
  }
}

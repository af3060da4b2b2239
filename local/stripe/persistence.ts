/**
 * The emulator's memory across restarts, when it is given a folder: the whole store (objects,
 * balances, idempotency records, events, the events still owed to the webhook endpoint) as one
 * JSON file, rewritten shortly after each change and on close. Each write goes to a temporary
 * file renamed over the previous one, so a crash leaves the old state or the new, never half.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreSnapshot } from './store.ts';

const FILE = 'state.json';

export function loadSnapshot(dir: string): StoreSnapshot | null {
  const path = join(dir, FILE);
  if (!existsSync(path)) return null;
  return JSON.parse(readFileSync(path, 'utf8')) as StoreSnapshot;
}

export interface StateWriter {
  /** Something changed: written within `delayMs`, several changes at once. */
  changed(): void;
  /** Writes now what is pending (on close). */
  flush(): void;
}

export function createStateWriter(dir: string, snapshot: () => StoreSnapshot, delayMs = 20): StateWriter {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, FILE);
  let timer: NodeJS.Timeout | null = null;
  const write = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot()));
    renameSync(temporary, path);
  };
  return {
    changed() {
      timer ??= setTimeout(write, delayMs);
    },
    flush() {
      if (timer) write();
    },
  };
}

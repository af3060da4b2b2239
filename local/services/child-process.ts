import type { ChildProcess } from 'node:child_process';

/** Stops a child process: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export function stopChild(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Keeps the last lines a child wrote, to explain a failed start without flooding the console. */
export function tailOf(child: ChildProcess, lines = 20): () => string {
  const kept: string[] = [];
  const keep = (chunk: Buffer) => {
    kept.push(...chunk.toString().split('\n').filter(Boolean));
    kept.splice(0, Math.max(0, kept.length - lines));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => kept.join('\n');
}

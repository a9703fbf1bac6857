/** Waiting on what the proxy tests' processes print and serve. */
import { sleep } from '../../../rehearsal/processes';
import type { ServiceProcess } from './service-process';

/** Number of times `pattern` occurs in `process`'s output so far. */
export function countMatches(process: ServiceProcess, pattern: RegExp): number {
  return (process.output().match(new RegExp(pattern.source, 'g')) ?? []).length;
}

/** Resolves once `process` has printed `pattern` `times` times; rejects on its exit or after `timeoutMs`. */
export async function waitForOutput(process: ServiceProcess, pattern: RegExp, timeoutMs: number, times = 1): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (countMatches(process, pattern) < times) {
    if (!process.running && countMatches(process, pattern) < times) {
      throw new Error(`${process.name} exited before printing ${pattern}:\n${process.output()}`);
    }
    if (Date.now() > deadline) throw new Error(`${process.name} did not print ${pattern} within ${timeoutMs} ms:\n${process.output()}`);
    await sleep(50);
  }
}

/** Polls `probe` every 100 ms until it holds (a rejection counts as not yet); throws after `timeoutMs`. */
export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

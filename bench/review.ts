/**
 * Plan review benchmark: how long the offline what-if review of a typical change takes (the default
 * dev stack, instance type t3.small → t3.medium), phase by phase. Prints figures; asserts nothing.
 *
 *   npm run bench:review
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../stacks/app';
import { parseConfig } from '../stacks/config';
import { offlineTerraform } from '../review/terraform';
import { whatIf } from '../review/what-if';
import { reviewChanges } from '../review/changes';
import { renderStackReview } from '../review/markdown';

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-review-'));
  const env = { name: 'dev', region: 'eu-west-1' };
  console.log(
    `plan review benchmark on ${cpus().length} cores, load average ${loadavg()[0].toFixed(2)} (a busy machine makes every figure larger)`,
  );
  const t0 = Date.now();
  let phase = 'synth base and head';
  let last = t0;
  // Each progress message starts a phase; the previous one's duration is printed then.
  const lap = (next: string) => {
    const now = Date.now();
    console.log(`  ${phase.padEnd(52)} ${((now - last) / 1000).toFixed(1)} s`);
    phase = next;
    last = now;
  };
  try {
    buildApp(parseConfig({ environments: [env] }), { outdir: join(work, 'base') }).app.synth();
    buildApp(parseConfig({ environments: [{ ...env, instanceType: 't3.medium' }] }), { outdir: join(work, 'head') }).app.synth();
    lap('terraform');
    const tf = offlineTerraform(join(work, 'cli'));
    const headDir = join(work, 'head', 'stacks', 'dev');
    const changes = reviewChanges((await whatIf(tf, join(work, 'base', 'stacks', 'dev'), headDir, (m) => lap(m))).plan);
    lap('render');
    const markdown = renderStackReview({ stack: 'dev', mode: 'what-if', changes }, 'base');
    lap('done');
    console.log(
      `review of a typical change: ${((Date.now() - t0) / 1000).toFixed(1)} s total, ${changes.length} change(s), ${markdown.length} characters of Markdown`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

/**
 * Plan review benchmark: `npm run review` of a one-stack change (dev's instance type t3.medium in the
 * base → t3.small in the working tree; prod unchanged) against one offline init + validate + plan of
 * one stack (dev, create-only), alternated in one run so both see the same machine. Prints figures
 * and the review's own "where the time went"; asserts nothing.
 *
 *   npm run bench:review [-- --runs 3]
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { offlineTerraform, terraform, writeOfflineOverride } from '../review/terraform';
import { main as review } from '../review/cli';
import { baseWithDevInstanceType } from '../review/scratch-commit';

const root = resolve(__dirname, '..');

async function timed(run: () => Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await run();
  return (Date.now() - t0) / 1000;
}

/** One offline init + validate + plan of the dev stack, from a fresh synth and a fresh directory. */
async function planOneStack(work: string, i: number): Promise<void> {
  const outdir = join(work, `plan-${i}`);
  const config = loadConfig(join(root, 'config/environments.json'));
  buildApp({ ...config, environments: config.environments.filter((e) => e.name === 'dev') }, { outdir, skipPolicy: true }).app.synth();
  const dir = join(outdir, 'stacks', 'dev');
  writeOfflineOverride(dir);
  const tf = offlineTerraform(join(work, `cli-${i}`));
  await terraform(tf, dir, ['init', '-input=false', '-no-color']);
  await terraform(tf, dir, ['validate', '-no-color']);
  await terraform(tf, dir, ['plan', '-input=false', '-lock=false', '-no-color', '-refresh=false', '-out=create.plan']);
}

async function reviewOneChange(base: string, out: string): Promise<void> {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = () => true; // the Markdown goes to --out
  try {
    const code = await review(['--base', base, '--out', out, '--quiet']);
    if (code !== 0) throw new Error(`review exited ${code}`);
  } finally {
    process.stdout.write = write;
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '2' } } });
  const runs = Number(values.runs);
  const work = mkdtempSync(join(tmpdir(), 'bench-review-'));
  const base = baseWithDevInstanceType(root, 't3.medium');
  const loads = [loadavg()[0]];
  console.log(`plan review benchmark on ${cpus().length} cores, ${runs} run(s) each, alternated`);
  const reviews: number[] = [];
  const plans: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      plans.push(await timed(() => planOneStack(work, i)));
      console.log(`  init + validate + plan of dev (create-only)   ${plans[i].toFixed(1)} s`);
      reviews.push(await timed(() => reviewOneChange(base, join(work, 'review.md'))));
      console.log(`  npm run review, dev changed, prod unchanged   ${reviews[i].toFixed(1)} s`);
      loads.push(loadavg()[0]);
    }
    const ratio = median(reviews) / median(plans);
    console.log(
      `median review ${median(reviews).toFixed(1)} s vs one init+validate+plan ${median(plans).toFixed(1)} s: ${ratio.toFixed(2)}x ` +
        `(load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)})`,
    );
    const timings = readFileSync(join(work, 'review.md'), 'utf8').match(/<details><summary>Where the time went[\s\S]*?<\/details>/);
    console.log(`\nthe last review's own account:\n${timings?.[0] ?? '(none)'}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});

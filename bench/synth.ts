/**
 * Synth benchmark: how long the cdktf app takes, alone, through `npm run synth` (the app run directly
 * with the CLI's environment, stacks/fast-synth.ts) and through `cdktf synth`, against the path the
 * cdktf template uses by default (type-checking ts-node). Prints figures; asserts nothing.
 *
 *   npm run bench            (BENCH_RUNS=7 for more runs)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
const runs = Number(process.env.BENCH_RUNS || 5);
const appCommand = (JSON.parse(readFileSync(join(root, 'cdktf.json'), 'utf8')) as { app: string }).app;

function timeOnce(command: string, args: readonly string[]): number {
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: mkdtempSync(join(tmpdir(), 'bench-synth-')), CHECKPOINT_DISABLE: '1' };
  // cdktf asks `terraform version`; a TF_CLI_CONFIG_FILE naming a missing file makes it warn each time.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) env.TF_CLI_CONFIG_FILE = '/dev/null';
  const start = process.hrtime.bigint();
  execFileSync(command, args, { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function measure(label: string, n: number, command: string, args: readonly string[]): number {
  timeOnce(command, args); // warm the file cache and any transform cache
  const samples = Array.from({ length: n }, () => timeOnce(command, args)).sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(
    `${label.padEnd(48)} median ${median.toFixed(2)} s   min ${samples[0].toFixed(2)} s   max ${samples[samples.length - 1].toFixed(2)} s   (${n} runs)`,
  );
  return median;
}

console.log(`synth benchmark on ${require('node:os').cpus().length} cores, load average ${require('node:os').loadavg()[0].toFixed(2)}`);
const app = measure('app alone (cdktf.json app: esbuild + node)', runs, 'sh', ['-c', appCommand]);
const npmSynth = measure('npm run synth (the app, as cdktf synth runs it)', runs, 'npm', [
  'run',
  '-s',
  'synth',
  '--',
  '--output',
  mkdtempSync(join(tmpdir(), 'bench-npm-')),
]);
const cli = measure('cdktf synth end to end', Math.max(3, Math.ceil(runs / 2)), process.execPath, [
  join(root, 'node_modules/cdktf-cli/bundle/bin/cdktf'),
  'synth',
  '--output',
  mkdtempSync(join(tmpdir(), 'bench-cli-')),
]);
const template = measure(
  'template default path (ts-node, type-checks)',
  Math.max(3, Math.ceil(runs / 2)),
  join(root, 'node_modules/.bin/ts-node'),
  ['main.ts'],
);
console.log(
  `npm run synth is ${(cli / npmSynth).toFixed(1)}x faster than cdktf synth (${(npmSynth - app).toFixed(2)} s over the app alone)`,
);
console.log(`app alone is ${(template / app).toFixed(1)}x faster than the template path`);

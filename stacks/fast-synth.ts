import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

/**
 * `npm run synth` without the cdktf CLI: the app command of cdktf.json run with the environment
 * `cdktf synth` gives it (cdktf-cli 0.21.0, @cdktf/cli-core/src/lib/synth-stack.js), then what the CLI
 * does after it: annotations printed (an error one fails the synth), folders of stacks no longer
 * synthesized removed, the stacks named. The CLI's own start (its bundle, `terraform version`,
 * telemetry) is most of its 4 s; this skips it and writes the same files.
 */

/** The fields of cdktf.json this needs; the rest is the CLI's. */
export interface CdktfJson {
  readonly app: string;
  /** @default "cdktf.out" (the CLI's default) */
  readonly output?: string;
  readonly terraformModules?: readonly (string | { readonly source: string })[];
}

/** An error of the fast synth: the entry point prints its message as one line, exit 1. */
export class SynthError extends Error {}

export function readCdktfJson(dir: string): CdktfJson {
  const file = join(dir, 'cdktf.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SynthError(`${file}: ${(err as Error).message}`);
  }
  const app = (parsed as { app?: unknown } | null)?.app;
  if (typeof app !== 'string' || app.trim() === '') throw new SynthError(`${file}: "app" must be the command that runs the cdktf app`);
  return parsed as CdktfJson;
}

/**
 * The environment `cdktf synth` runs the app in: its own minus TF_VAR_* (execution-time values),
 * NODE_OPTIONS with a 4 GiB heap unless NODE_OPTIONS is set, the out dir, error annotations
 * collected instead of thrown (the caller reports them), the context with the relative modules, and
 * JSON (not HCL) output.
 */
export function synthEnvironment(base: NodeJS.ProcessEnv, outdir: string, config: CdktfJson): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('TF_VAR_')));
  if (!env.NODE_OPTIONS) env.NODE_OPTIONS = '--max-old-space-size=4096';
  const context = base.CDKTF_CONTEXT_JSON ? (JSON.parse(base.CDKTF_CONTEXT_JSON) as Record<string, unknown>) : {};
  const relativeModules = (config.terraformModules ?? []).filter((m) => {
    const source = typeof m === 'string' ? m : m.source;
    return source.startsWith('./') || source.startsWith('../');
  });
  return {
    ...env,
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
    CDKTF_CONTEXT_JSON: JSON.stringify({ ...context, cdktfRelativeModules: relativeModules }),
    SYNTH_HCL_OUTPUT: 'false',
  };
}

interface ManifestAnnotation {
  readonly constructPath: string;
  readonly level: string;
  readonly message: string;
}
interface Manifest {
  readonly stacks: Record<string, { readonly name: string; readonly annotations?: readonly ManifestAnnotation[] }>;
}

export interface SynthResult {
  readonly stacks: readonly string[];
  /** One line per annotation, as the CLI prints them (`WARN [dev/x]: …`). */
  readonly annotations: readonly string[];
  /** Folders under <outdir>/stacks removed because no stack of this synth has that name. */
  readonly removed: readonly string[];
}

const LEVELS: Record<string, string> = { '@cdktf/info': 'INFO', '@cdktf/warn': 'WARN', '@cdktf/error': 'ERROR' };

/**
 * Runs the app of `dir`'s cdktf.json into `outdir` (default: cdktf.json's output) as `cdktf synth`
 * does. Throws SynthError when the app fails, writes no manifest, or reports an error annotation.
 */
export function synth(dir: string, options: { readonly outdir?: string; readonly env?: NodeJS.ProcessEnv } = {}): SynthResult {
  const config = readCdktfJson(dir);
  const outdir = resolve(dir, options.outdir ?? config.output ?? 'cdktf.out');
  const stacksDir = join(outdir, 'stacks');
  const before = existsSync(stacksDir) ? readdirSync(stacksDir).filter((d) => statSync(join(stacksDir, d)).isDirectory()) : [];

  const run = spawnSync(config.app, {
    cwd: dir,
    shell: true,
    stdio: 'inherit',
    env: synthEnvironment(options.env ?? process.env, outdir, config),
  });
  if (run.error) throw new SynthError(`cdktf app (${config.app}): ${run.error.message}`);
  if (run.status !== 0) throw new SynthError(`cdktf app failed (exit ${run.status ?? run.signal}): ${config.app}`);

  const manifestFile = join(outdir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new SynthError(`the app did not call synth(): no ${manifestFile}`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const stacks = Object.values(manifest.stacks).map((s) => s.name);
  const all = Object.values(manifest.stacks).flatMap((s) => s.annotations ?? []);
  const annotations = all.map((a) => `${LEVELS[a.level] ?? a.level} [${a.constructPath}]: ${a.message}`);
  if (all.some((a) => a.level === '@cdktf/error')) {
    throw new SynthError(`${annotations.join('\n')}\nWhile synthesizing one or more error annotations have been encountered.`);
  }
  const removed = before.filter((d) => !stacks.includes(basename(d))).map((d) => join(stacksDir, d));
  for (const folder of removed) rmSync(folder, { recursive: true });
  return { stacks, annotations, removed };
}

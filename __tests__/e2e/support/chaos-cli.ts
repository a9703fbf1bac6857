import { runChaosCli, type ChaosCliOptions, type ChaosCliRun } from '../../../rehearsal/chaos-cli';
import { REPO_ROOT } from './rehearsal-cli';

/** How one `chaos run` ended. */
export interface ChaosRun extends ChaosCliRun {
  readonly experiment: string;
  readonly journal: string;
}

/** Options of {@link runChaos}; `timeoutMs` defaults to 3 minutes, so that a hung run does not hang the suite. */
export interface RunChaosOptions extends Pick<ChaosCliOptions, 'env' | 'onProgress' | 'timeoutMs'> {
  /** Where the journal goes (`--journal`). */
  readonly journal: string;
}

/**
 * `chaos run <experiment> --yes --journal <file>` against the rehearsal's outputs (the CLI finds
 * `.rehearsal/outputs.json` itself, as a user's run does). Resolves however the run ended.
 */
export async function runChaos(experiment: string, options: RunChaosOptions): Promise<ChaosRun> {
  const run = await runChaosCli(['run', experiment, '--yes', '--journal', options.journal], {
    repoRoot: REPO_ROOT,
    env: options.env,
    onProgress: options.onProgress,
    timeoutMs: options.timeoutMs ?? 180_000,
  });
  return { ...run, experiment, journal: options.journal };
}

/** Fails with the run's own words (the verdict and the last progress lines) when it did not exit with `code`. */
export function expectExit(run: ChaosRun, code: number): void {
  if (run.code === code) return;
  const tail = run.stderr.trimEnd().split('\n').slice(-25).join('\n');
  throw new Error(
    `chaos run ${run.experiment}: exit ${run.code ?? run.signal}, expected ${code}\n${run.stdout.trim()}\n--- last progress lines ---\n${tail}`,
  );
}

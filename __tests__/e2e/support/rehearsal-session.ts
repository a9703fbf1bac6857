import { readFileSync } from 'node:fs';
import { readRehearsalState, type RehearsalState } from '../../../rehearsal/rehearsal-state';
import { loadSettings, rehearsalFiles } from '../../../rehearsal/settings';
import { waitForSteadyState as waitForHealthy } from '../../../rehearsal/steady-state';
import { platformOutputsSchema, type PlatformOutputs } from '../../../contract/outputs';
import { REPO_ROOT, runRehearsal, type CliResult } from './rehearsal-cli';

/**
 * One e2e file's hold on the rehearsal: `up` in its beforeAll, `down` in its afterAll. `up` is
 * idempotent and quick when warm (~3 s when running, ~6 s after a down, ~150 s from nothing), so
 * every file runs alone or in any order, the first one pays for the cold start, and
 * `npm run test:e2e` always ends with nothing running.
 */

/**
 * `describe` when the machine has what the tests need; otherwise a failing test naming what is
 * missing and how to get it (`npm run setup` installs it), and the tests are not run.
 */
export function describeIfPossible(missing: readonly string[], what: string): jest.Describe {
  if (missing.length === 0) return describe;
  test('the machine has what these e2e tests need', () => {
    throw new Error(`${what} needs: ${missing.join(', ')} (\`npm run setup\`, as root, installs the packages)`);
  });
  return describe.skip;
}

/** The rehearsal as `up` left it. */
export interface Rehearsal {
  readonly outputs: PlatformOutputs;
  readonly state: RehearsalState;
  /** `DOCKER_HOST` for docker commands against its engine. */
  readonly dockerEnv: Readonly<Record<string, string>>;
}

function failed(what: string, result: CliResult): Error {
  return new Error(`${what} exited ${result.code}:\n${result.output.trimEnd().split('\n').slice(-30).join('\n')}`);
}

/** Options of {@link holdRehearsal}. */
export interface HoldOptions {
  /**
   * Added to `up`'s environment (the ACME mode), read when `up` runs (after the file's earlier
   * beforeAll hooks, e.g. one that starts Pebble). Unset ACME variables are passed empty: plain HTTP.
   */
  readonly env?: () => Readonly<Record<string, string>>;
  /** Runs before `down` (when `up` completed), e.g. to clean what the file left on the volume. */
  readonly beforeDown?: (rehearsal: Rehearsal) => Promise<void>;
}

/** Registers `up` in beforeAll and `down` in afterAll of the enclosing describe; returns the rehearsal once up. */
export function holdRehearsal(options: HoldOptions = {}): () => Rehearsal {
  const settings = loadSettings(REPO_ROOT);
  const files = rehearsalFiles(settings);
  let held: Rehearsal | undefined;

  beforeAll(async () => {
    // A REHEARSAL_DOMAIN in the caller's environment would put the proxy in ACME mode.
    const env = { REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '', ...options.env?.() };
    const result = await runRehearsal(['up'], env);
    console.log(`rehearsal up: ${(result.ms / 1000).toFixed(1)} s`);
    if (result.code !== 0) throw failed('rehearsal up', result);
    const state = readRehearsalState(files.state);
    if (state === undefined) throw new Error(`${files.state} is missing after up`);
    const outputs = platformOutputsSchema.parse(JSON.parse(readFileSync(files.outputs, 'utf8')));
    held = { outputs, state, dockerEnv: { DOCKER_HOST: state.dockerHost } };
  });

  afterAll(async () => {
    try {
      if (held !== undefined && options.beforeDown !== undefined) await options.beforeDown(held);
    } finally {
      // Whatever failed above, nothing of the rehearsal may outlive the file.
      const result = await runRehearsal(['down']);
      console.log(`rehearsal down: ${(result.ms / 1000).toFixed(1)} s`);
      if (result.code !== 0) throw failed('rehearsal down', result);
    }
  });

  return () => {
    if (held === undefined) throw new Error('rehearsal up did not complete (see the beforeAll error)');
    return held;
  };
}

/**
 * Waits until each service runs exactly one container, healthy, and the proxy serves "/": where
 * every experiment starts (the one before may have just ended with a replacement in flight).
 */
export async function waitForSteadyState(rehearsal: Rehearsal, timeoutMs = 60_000): Promise<void> {
  await waitForHealthy(rehearsal.state.dockerHost, rehearsal.outputs.publicUrl, timeoutMs);
}

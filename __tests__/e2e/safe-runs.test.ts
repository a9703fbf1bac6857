/**
 * The safety guarantees against the rehearsal, each through the real CLI: a closed output pipe, a
 * SIGTERM to `npm run chaos`, two runs at once, SIGKILL then `chaos rollback`, a journal that
 * cannot be written, a guard probe breach and a catastrophic regex. Every test starts from the
 * steady state and leaves the platform in it.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runChaosCli } from '../../rehearsal/chaos-cli';
import { run as runCommand } from '../../rehearsal/command';
import { expectExit, runChaos } from './support/chaos-cli';
import { readJournal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, waitForSteadyState } from './support/rehearsal-session';

const EXPERIMENTS = path.join(REPO_ROOT, 'chaos', 'experiments');
const FIXTURES = path.join(__dirname, 'fixtures');
const INTERRUPTIBLE = path.join(FIXTURES, 'interrupted-mid-fault.yaml');

/** A child's output, collected, and its end. */
function start(command: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) {
  const child = spawn(command, [...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, ended };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const chaosArgs = (...args: string[]) => ['--import', 'tsx', path.join(REPO_ROOT, 'chaos', 'bin.ts'), ...args];

describeIfPossible(missingForRehearsal(), 'the safe-run e2e tests')('safe runs against the local rehearsal', () => {
  const rehearsal = holdRehearsal();
  let dir = '';
  const journal = (name: string): string => path.join(dir, `${name}.json`);
  const apiContainer = async (): Promise<string> =>
    runCommand(
      'docker',
      ['ps', '-q', '--no-trunc', '--filter', `label=com.docker.swarm.service.name=${rehearsal().outputs.services.api.serviceName}`],
      {
        env: rehearsal().dockerEnv,
      },
    );

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'e2e-safe-'));
  });
  beforeEach(async () => waitForSteadyState(rehearsal()));
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test('a closed output pipe (`| head -2`) does not stop the run: journal written, the API back', async () => {
    const file = journal('epipe');
    const piped = start('bash', [
      '-c',
      `npm run -s chaos -- run ${path.join(EXPERIMENTS, 'stop-api-task.yaml')} --yes --journal ${file} 2>&1 | head -2`,
    ]);
    expect(await piped.ended).toBe(0);
    expect(piped.output().trim().split('\n')).toHaveLength(2);
    const written = readJournal(file);
    expect(written.status).toBe('completed');
    expect(written.steady_states.after?.steady_state_met).toBe(true);
  });

  test('SIGTERM to `npm run chaos` reaches the run: interrupted, rollbacks run, no process left', async () => {
    const file = journal('sigterm');
    const marker = path.join(dir, 'sigterm-rolled-back');
    const npm = start('npm', ['run', '-s', 'chaos', '--', 'run', INTERRUPTIBLE, '--yes', '--journal', file], {
      E2E_ROLLBACK_MARKER: marker,
    });
    await until(() => npm.output().includes('pause 120s'), 120_000, 'the run reaching its pause');
    npm.child.kill('SIGTERM');
    await npm.ended;
    const written = readJournal(file);
    expect(written.status).toBe('interrupted');
    expect(written.reasons.join('\n')).toMatch(/SIGTERM/);
    expect(written.rollbacks.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(existsSync(marker)).toBe(true);
    // Nothing of the run outlives npm: no process still names its journal.
    const left = await runCommand('pgrep', ['-f', file]).catch(() => '');
    expect(left.trim()).toBe('');
  });

  test('two runs at once: the second is refused with exit 2, naming the first', async () => {
    const first = start(process.execPath, chaosArgs('run', INTERRUPTIBLE, '--yes', '--journal', journal('first')), {
      E2E_ROLLBACK_MARKER: path.join(dir, 'first-marker'),
    });
    await until(() => first.output().includes('pause 120s'), 120_000, 'the first run reaching its pause');
    const second = await runChaosCli(['run', path.join(EXPERIMENTS, 'http-smoke.yaml'), '--journal', journal('second')], {
      repoRoot: REPO_ROOT,
    });
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(new RegExp(`is busy: run ${first.child.pid} holds it`));
    expect(existsSync(journal('second'))).toBe(false);
    first.child.kill('SIGINT');
    await first.ended;
    expect(readJournal(journal('first')).status).toBe('interrupted');
  });

  test('SIGKILL mid-fault leaves a `running` journal; `chaos rollback` finishes the run', async () => {
    const file = journal('killed');
    const marker = path.join(dir, 'killed-rolled-back');
    const killed = start(process.execPath, chaosArgs('run', INTERRUPTIBLE, '--yes', '--journal', file), { E2E_ROLLBACK_MARKER: marker });
    await until(() => killed.output().includes('pause 120s'), 120_000, 'the run reaching its pause');
    killed.child.kill('SIGKILL');
    await killed.ended;
    const left = readJournal(file);
    expect(left.status).toBe('running');
    expect(left.in_flight?.map((a) => a.activity.name)).toEqual(['stop-api-task']);
    expect(existsSync(marker)).toBe(false);

    const rolled = await runChaosCli(['rollback', file, '--yes'], { repoRoot: REPO_ROOT, env: { E2E_ROLLBACK_MARKER: marker } });
    expect(rolled.code).toBe(0);
    expect(existsSync(marker)).toBe(true);
    const finished = readJournal(file);
    expect(finished.status).toBe('interrupted');
    expect(finished.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([
      ['write-rollback-marker', 'succeeded'],
      ['api-events-in-rollback', 'succeeded'],
    ]);
  });

  test('a journal that cannot be written is refused before anything is injected: exit 2, the API untouched', async () => {
    const before = await apiContainer();
    writeFileSync(path.join(dir, 'a-file'), 'x');
    const refused = await runChaos(path.join(EXPERIMENTS, 'stop-api-task.yaml'), { journal: path.join(dir, 'a-file', 'j.json') });
    expect(refused.code).toBe(2);
    expect(refused.stderr.trim()).toMatch(/cannot be written \(a folder in its path is a file\)/);
    expect(await apiContainer()).toBe(before);
  });

  test('a guard probe breach aborts the run: status aborted, the breach named, rollbacks run, the API back', async () => {
    const marker = path.join(dir, 'guard-rolled-back');
    const run = await runChaos(path.join(FIXTURES, 'guard-breach.yaml'), {
      journal: journal('guard'),
      env: { E2E_ROLLBACK_MARKER: marker },
    });
    expectExit(run, 1);
    const written = readJournal(run.journal);
    expect(written.status).toBe('aborted');
    expect(written.reasons[0]).toMatch(/^stop condition: guard probe "api-copy-1-answers"/);
    // Aborted while the method waited, long before its 60 s pause would have ended.
    expect(written.duration).toBeLessThan(60);
    expect(existsSync(marker)).toBe(true);
    await waitForSteadyState(rehearsal());
  });

  test('a catastrophic regex tolerance ends the run at once (steady state not met), nothing injected', async () => {
    const before = await apiContainer();
    const run = await runChaos(path.join(FIXTURES, 'catastrophic-regex.yaml'), { journal: journal('regex'), timeoutMs: 60_000 });
    expectExit(run, 1);
    const written = readJournal(run.journal);
    expect(written.status).toBe('failed');
    expect(written.reasons[0]).toMatch(/steady state not met before the method, so no fault was injected/);
    expect(written.run).toEqual([]);
    expect(await apiContainer()).toBe(before);
    expect(JSON.parse(readFileSync(run.journal, 'utf8')).steady_states.before.probes[0].tolerance_met).toBe(false);
  });
});

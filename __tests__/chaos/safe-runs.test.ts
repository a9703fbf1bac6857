import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli-harness';
import { startRun, until } from './helpers/child-run';
import { breakAndHeal, useLocalServer } from './helpers/local-server';

/**
 * Record before acting, a journal that follows the run, `chaos rollback` of a killed run, the
 * emergency stop and the stop conditions: each through the real CLI as a child process, against a
 * local server standing in for the platform (an action makes it fail; a rollback heals it).
 */

const server = useLocalServer();

async function workspace(extra: readonly string[] = []): Promise<{ dir: string; env: Record<string, string | undefined>; marker: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-safe-'));
  const marker = join(dir, 'rolled-back');
  await writeFile(join(dir, 'exp.yaml'), breakAndHeal(server().url, marker, { extra }));
  // Runs on this machine meet in the runtime dir (locks, halt): each test gets its own.
  return { dir, marker, env: { ...process.env, CHAOS_RUNTIME_DIR: join(dir, 'runtime') } };
}

const journalIn = (dir: string, name = 'j.json') => JSON.parse(readFileSync(join(dir, name), 'utf8'));

describe('record before acting', () => {
  it.each<[string, (dir: string) => Promise<string>, RegExp]>([
    ['a directory', async (dir) => (await mkdir(join(dir, 'jdir')), 'jdir'), /journal jdir is a directory/],
    [
      'an existing file (without --force)',
      async (dir) => (await writeFile(join(dir, 'old.json'), '{}'), 'old.json'),
      /journal old\.json exists: pass --force/,
    ],
    [
      'a path below a file',
      async (dir) => (await writeFile(join(dir, 'file'), 'x'), 'file/j.json'),
      /journal file\/j\.json cannot be written \(a folder in its path is a file\)/,
    ],
  ])('GIVEN a journal that is %s THEN exit 2 before anything is injected', async (_name, arrange, message) => {
    const { dir, env } = await workspace();
    const journal = await arrange(dir);
    const result = await runCli(['run', 'exp.yaml', '--journal', journal, '--yes'], dir, env);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(message);
    expect(server().mode).toBe('healthy');
  });

  it('GIVEN --force THEN an existing journal is replaced', async () => {
    const { dir, env } = await workspace();
    await writeFile(join(dir, 'old.json'), '{}');
    await writeFile(
      join(dir, 'exp.yaml'),
      `title: t\ndescription: d\nmethod: [{type: probe, name: p, provider: {type: http, url: "${server().url}/healthz"}}]\n`,
    );
    const result = await runCli(['run', 'exp.yaml', '--journal', 'old.json', '--force'], dir, env);
    expect(result.code).toBe(0);
    expect(journalIn(dir, 'old.json').status).toBe('completed');
  });
});

describe('a run killed mid-fault', () => {
  it('leaves a `running` journal that says what it injected, and `chaos rollback` finishes it', async () => {
    const { dir, env, marker } = await workspace();
    const run = startRun(['run', 'exp.yaml', '--journal', 'j.json', '--yes'], dir, env);
    await until(() => run.stderr().includes('pause 30s'), 15_000);
    const midRun = journalIn(dir);
    expect(midRun).toMatchObject({ status: 'running', pid: run.child.pid });
    expect(midRun.in_flight.map((a: { activity: { name: string } }) => a.activity.name)).toEqual(['break it']);
    expect(server().mode).toBe('failing');

    run.child.kill('SIGKILL');
    await run.exited;
    expect(journalIn(dir).status).toBe('running');
    expect(existsSync(marker)).toBe(false);

    const rolled = await runCli(['rollback', 'j.json', '--yes'], dir, env);
    expect(rolled.stderr).not.toMatch(/\n\s+at /);
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toMatch(/^rolled back: 0 fault\(s\) undone, 2 rollback\(s\) run; journal j\.json$/m);
    expect(server().mode).toBe('healthy');
    expect(existsSync(marker)).toBe(true);
    const after = journalIn(dir);
    expect(after.status).toBe('interrupted');
    expect(after.reasons[0]).toMatch(/stopped before it finished/);
    expect(after.rollbacks.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded']);

    const again = await runCli(['rollback', 'j.json', '--yes'], dir, env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/its rollbacks already ran \(2\); --force runs them again/);
  });

  it('refuses to roll back a run that is still going', async () => {
    const { dir, env } = await workspace();
    const run = startRun(['run', 'exp.yaml', '--journal', 'j.json', '--yes'], dir, env);
    await until(() => run.stderr().includes('pause 30s'), 15_000);
    const result = await runCli(['rollback', 'j.json', '--yes'], dir, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`run ${run.child.pid} is still going`));
    run.child.kill('SIGINT');
    await run.exited;
  });
});

describe('the emergency stop', () => {
  it('`chaos halt` aborts a running experiment, which rolls back; new runs are refused until released', async () => {
    const { dir, env, marker } = await workspace();
    const run = startRun(['run', 'exp.yaml', '--journal', 'j.json', '--yes'], dir, env);
    await until(() => run.stderr().includes('pause 30s'), 15_000);
    const halted = await runCli(['halt', '--reason', 'pager'], dir, env);
    expect(halted.code).toBe(0);
    const code = await run.exited;
    expect(code).toBe(1);
    expect(journalIn(dir)).toMatchObject({ status: 'aborted', reasons: ['halted: pager'] });
    expect(existsSync(marker)).toBe(true);
    expect(server().mode).toBe('healthy');

    const refused = await runCli(['run', 'exp.yaml', '--journal', 'k.json', '--yes'], dir, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/runs on this machine are halted \(pager\)/);
    expect((await runCli(['halt', '--release'], dir, env)).stdout).toMatch(/^released/);
  });
});

describe('stop conditions', () => {
  it('a guard probe outside its tolerance aborts the method: status aborted, the breach named, rollbacks run', async () => {
    const guard = `stop-conditions: {poll: 0.2, probes: [{type: probe, name: guard, tolerance: 200, provider: {type: http, url: "${server().url}/healthz", timeout: 1}}]}`;
    const { dir, env, marker } = await workspace([guard]);
    const result = await runCli(['run', 'exp.yaml', '--journal', 'j.json', '--yes', '--quiet'], dir, env);
    expect(result.code).toBe(1);
    const journal = journalIn(dir);
    expect(journal.status).toBe('aborted');
    expect(journal.reasons[0]).toMatch(/^stop condition: guard probe "guard" (is outside its tolerance|failed)/);
    expect(journal.stop_conditions).toMatchObject({ probes: ['guard'], breach: journal.reasons[0] });
    expect(journal.stop_conditions.checks).toBeGreaterThanOrEqual(1);
    expect(existsSync(marker)).toBe(true);
    expect(server().mode).toBe('healthy');
  });

  it('a maximum run duration ends the run aborted, with its rollbacks', async () => {
    const { dir, env, marker } = await workspace(['stop-conditions: {max-duration: 1.5}']);
    const result = await runCli(['run', 'exp.yaml', '--journal', 'j.json', '--yes', '--quiet'], dir, env);
    expect(result.code).toBe(1);
    expect(journalIn(dir)).toMatchObject({ status: 'aborted', reasons: ['stop condition: the maximum run duration of 1.5s was reached'] });
    expect(existsSync(marker)).toBe(true);
  });
});

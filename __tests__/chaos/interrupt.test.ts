import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './helpers/cli-harness';
import { breakAndHeal, useLocalServer } from './helpers/local-server';

const server = useLocalServer();

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('interruption by a real SIGINT', () => {
  it('GIVEN a run in the middle of its method WHEN SIGINT arrives THEN rollbacks run, the journal says interrupted, exit 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-sigint-'));
    const marker = join(dir, 'rolled-back');
    await writeFile(
      join(dir, 'exp.yaml'),
      breakAndHeal(server().url, marker, {
        title: 'Interrupted',
        // "always": chaostoolkit's default strategy skips the rollbacks of an interrupted run.
        extra: ['recovery: {within: 60, availability: {min: 90, probe: health, rate: 20}}', 'rollback-strategy: always'],
      }),
    );
    const child = spawnCli(['run', 'exp.yaml', '--journal', 'j.json', '--yes'], dir);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));

    await until(() => server().mode === 'failing' && stderr.includes('pause 30s'), 15_000);
    const interruptedAt = Date.now();
    child.kill('SIGINT');
    const code = await exited;

    expect(Date.now() - interruptedAt).toBeLessThan(5000);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^interrupted: Interrupted.*interrupted by SIGINT.*; journal j\.json$/m);
    expect(stderr).toMatch(/SIGINT: stopping, then rolling back/);
    expect(stderr).not.toMatch(/\n\s+at /);
    const journal = JSON.parse(await readFile(join(dir, 'j.json'), 'utf8'));
    expect(journal).toMatchObject({ status: 'interrupted', reasons: ['interrupted by SIGINT'] });
    expect(journal.rollbacks.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded']);
    expect(journal.recovery.samples.length).toBeGreaterThan(0);
    expect(existsSync(marker)).toBe(true);
    expect(server().mode).toBe('healthy');
  });
});

import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';

let server: LocalServer;
beforeAll(async () => {
  server = await new LocalServer().start();
});
afterAll(async () => server.stop());

describe('a chaostoolkit 1.x experiment runs unchanged', () => {
  it('GIVEN fixtures/chaostoolkit-sample.json THEN it completes with every tolerance met and its rollback run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-ctk-'));
    const fixture = join(__dirname, 'fixtures', 'chaostoolkit-sample.json');
    const env = { ...process.env, SUT_URL: server.url, MARKER_DIR: dir };
    // Its process activities can do anything, so they need --yes like destructive faults.
    const refused = await runCli(['run', fixture, '--journal', 'ctk.json', '--quiet'], dir, env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^chaos: .*chaostoolkit-sample\.json runs processes, which can do anything \(.* in "[^"]+".*\); add --yes/,
    );
    expect(existsSync(join(dir, 'ctk.json'))).toBe(false);
    const result = await runCli(['run', fixture, '--journal', 'ctk.json', '--quiet', '--yes'], dir, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = JSON.parse(await readFile(join(dir, 'ctk.json'), 'utf8'));
    expect(journal.status).toBe('completed');
    expect(journal.steady_states.before.probes).toHaveLength(9);
    expect(journal.steady_states.before.probes.every((p: { tolerance_met: boolean }) => p.tolerance_met)).toBe(true);
    expect(journal.run.map((r: { activity: { name: string } }) => r.activity.name)).toEqual([
      'make-the-service-flap',
      'the-service-answers-again',
      'we-can-request-the-service',
    ]);
    expect(journal.experiment.version).toBe('1.0.0');
    expect(journal.recovery).toBeNull();
    expect(existsSync(join(dir, 'chaostoolkit-rolled-back'))).toBe(true);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TargetBusyError } from '../../chaos/errors';
import { lockTarget } from '../../chaos/safety/target-lock';
import { runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

let server: LocalServer;
beforeAll(async () => {
  server = await new LocalServer().start();
});
afterAll(async () => server.stop());

async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-lock-'));
  const outputs = outputsFor(server.url);
  await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputs));
  await writeFile(
    join(dir, 'exp.yaml'),
    'title: smoke\ndescription: d\nmethod: [{type: probe, name: p, tolerance: 200, provider: {type: fault, id: http:get, arguments: {path: /healthz}}}]\n',
  );
  return { dir, outputs, env: { ...process.env, CHAOS_RUNTIME_DIR: join(dir, 'runtime') } };
}

/** A pid that is certainly dead: a child that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('one run per target', () => {
  it('GIVEN a live run holding the target THEN a second run is refused with exit 2 naming the holder, nothing run', async () => {
    const { dir, outputs, env } = await workspace();
    const held = lockTarget(outputs, join(dir, 'first.json'), env);
    try {
      const before = server.requests;
      const second = await runCli(['run', 'exp.yaml', '--journal', 'j.json'], dir, env);
      expect(second.code).toBe(2);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.stderr).toMatch(
        new RegExp(`^chaos: local:${outputs.clusterArn} is busy: run ${process.pid} holds it since .* \\(journal .*first\\.json\\)`),
      );
      expect(server.requests).toBe(before);
    } finally {
      held.release();
    }
    expect((await runCli(['run', 'exp.yaml', '--journal', 'k.json'], dir, env)).code).toBe(0);
  });

  it('GIVEN a lock left by a run that died THEN the next run takes it over, warning about the journal it left', async () => {
    const { dir, outputs, env } = await workspace();
    const lockDir = join(env.CHAOS_RUNTIME_DIR, 'locks');
    const taken = lockTarget(outputs, join(dir, 'dead.json'), env);
    // Rewrite the holder as a process that is gone, as SIGKILL would leave it.
    const { readdirSync, writeFileSync } = await import('node:fs');
    const [file] = readdirSync(lockDir);
    if (file === undefined) throw new Error('no lock file');
    const pid = deadPid();
    writeFileSync(
      join(lockDir, file),
      JSON.stringify({ pid, journal: join(dir, 'dead.json'), target: 'x', since: new Date().toISOString() }),
    );
    const run = await runCli(['run', 'exp.yaml', '--journal', 'j.json'], dir, env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`took over the lock of run ${pid}, which died holding it; its journal .*dead\\.json`));
    expect(run.stderr).toMatch(/npm run chaos -- rollback .*dead\.json/);
    expect(readdirSync(lockDir)).toEqual([]);
    taken.release();
  });

  it('lockTarget itself refuses a second holder with TargetBusyError', async () => {
    const { dir, outputs, env } = await workspace();
    const first = lockTarget(outputs, join(dir, 'a.json'), env);
    expect(() => lockTarget(outputs, join(dir, 'b.json'), env)).toThrow(TargetBusyError);
    first.release();
    lockTarget(outputs, join(dir, 'b.json'), env).release();
  });
});

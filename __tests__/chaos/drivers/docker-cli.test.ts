/**
 * The docker CLI adapter stops docker when its signal aborts (a frozen engine holds the CLI
 * forever): fake `docker` executables that never finish, one of them deaf to SIGTERM.
 */
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDockerCli } from '../../../chaos/adapters/swarm/docker-cli';
import { swarmStopTask } from '../../../chaos/drivers/swarm/stop-task';
import { alive, pidIn } from '../helpers/processes';
import { contextFor, runFault } from './support/context';
import { testOutputs } from './support/outputs';

/** What the fake docker would sleep: every bound below is far under it. */
const FROZEN_S = 30;

async function fakeDocker(dir: string, name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!/bin/sh\necho $$ > '${dir}/${name}.pid'\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

describe('docker CLI adapter against a docker that never answers', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaos-docker-'));
  });

  it('GIVEN its signal aborts THEN the call rejects with the reason and docker is gone', async () => {
    const cli = localDockerCli({ binary: await fakeDocker(dir, 'frozen', `exec sleep ${FROZEN_S}`), env: { PATH: process.env.PATH } });
    const started = Date.now();
    await expect(cli.run(['ps'], AbortSignal.timeout(500))).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(FROZEN_S * 1000);
    expect(alive(await pidIn(join(dir, 'frozen.pid')))).toBe(false);
  });

  it('GIVEN a docker deaf to SIGTERM, with a child of its own THEN SIGKILL to its group ends both', async () => {
    const body = `trap '' TERM; sleep ${FROZEN_S} & echo $! > '${dir}/deaf-child.pid'; wait`;
    const cli = localDockerCli({ binary: await fakeDocker(dir, 'deaf', body), env: { PATH: process.env.PATH } });
    const started = Date.now();
    await expect(cli.run(['stop', 'x'], AbortSignal.timeout(300))).rejects.toThrow(/timeout/i);
    expect(Date.now() - started).toBeLessThan(FROZEN_S * 1000);
    expect(alive(await pidIn(join(dir, 'deaf.pid')))).toBe(false);
    expect(alive(await pidIn(join(dir, 'deaf-child.pid')))).toBe(false);
  });

  it('GIVEN swarm:stop-task on a frozen engine WHEN its signal aborts THEN the fault stops with it', async () => {
    const cli = localDockerCli({ binary: await fakeDocker(dir, 'engine', `exec sleep ${FROZEN_S}`), env: { PATH: process.env.PATH } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out after 1s')), 1000);
    const ctx = contextFor(testOutputs(), { docker: () => cli }, controller.signal);
    await expect(runFault(swarmStopTask, { service: 'api' }, ctx)).rejects.toThrow('timed out after 1s');
    expect(alive(await pidIn(join(dir, 'engine.pid')))).toBe(false);
  });

  it('still answers with the exit status of a docker that ends', async () => {
    const cli = localDockerCli({
      binary: await fakeDocker(dir, 'answers', 'echo listed; echo warn >&2; exit 3'),
      env: { PATH: process.env.PATH },
    });
    await expect(cli.run(['ps'], new AbortController().signal)).resolves.toEqual({ code: 3, stdout: 'listed\n', stderr: 'warn\n' });
  });
});

import childProcess from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDockerCli } from '../../chaos/adapters/swarm/docker-cli';
import * as binding from '../../chaos/targets/bind-target';
import { runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

/**
 * Local outputs that name another machine are refused by the reader, before any adapter exists:
 * no socket is opened and no docker runs, even with --yes. Every connect and every child process
 * is intercepted and refused here, so that a regression would be caught without sending anything.
 */

const EXPERIMENT = [
  'title: Would reach out',
  'description: d',
  'steady-state-hypothesis:',
  '  title: up',
  '  probes:',
  '    - {type: probe, name: page, tolerance: 200, provider: {type: fault, id: "http:get", arguments: {path: /}}}',
  'method:',
  '  - {type: action, name: stop, provider: {type: fault, id: "swarm:stop-task", arguments: {service: api}}}',
  '  - {type: action, name: docker-stop, provider: {type: fault, id: "ssh:docker-stop", arguments: {service: api}}}',
  '',
].join('\n');

let dir: string;
let server: LocalServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-elsewhere-'));
  server = await new LocalServer().start();
  await writeFile(join(dir, 'exp.yaml'), EXPERIMENT);
});
afterAll(async () => server.stop());
afterEach(() => jest.restoreAllMocks());

describe('local outputs naming another machine: refused with nothing sent', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['the SSH host', { sshHost: '192.0.2.10' }, /^chaos: outputs\.json: sshHost: expected 127\.0\.0\.0\/8, ::1 or localhost/],
    ['the public IP', { publicIp: '192.0.2.10' }, /^chaos: outputs\.json: publicIp: expected 127\.0\.0\.0\/8/],
    ['the docker engine', { dockerHost: 'tcp://192.0.2.10:2375' }, /^chaos: outputs\.json: dockerHost: expected unix:\/\/\/<socket path>/],
    [
      'the public URL',
      { publicUrl: 'http://192.0.2.10/' },
      /^chaos: outputs\.json: publicUrl: expected an http\(s\) URL of 127\.0\.0\.0\/8/,
    ],
  ])('%s', async (_name, elsewhere, message) => {
    // The public URL is this test's server (unless the case replaces it): a run that went ahead would ask it first.
    await writeFile(join(dir, 'outputs.json'), JSON.stringify({ ...outputsFor(server.url), ...elsewhere }));
    const connects = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('a test must not connect');
    });
    const execs = jest.spyOn(childProcess, 'execFile').mockImplementation(() => {
      throw new Error('a test must not run docker');
    });
    const spawns = jest.spyOn(childProcess, 'spawn').mockImplementation(() => {
      throw new Error('a test must not run docker');
    });
    const binds = jest.spyOn(binding, 'bindTarget');
    const before = server.requests;

    for (const argv of [
      ['run', 'exp.yaml', '--yes', '--quiet', '--journal', 'j.json'],
      ['run', 'exp.yaml', '--dry-run'],
      ['validate', 'exp.yaml', '--outputs', 'outputs.json'],
    ]) {
      const result = await runCli(argv, dir);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n').filter(Boolean)).toEqual([expect.stringMatching(message)]);
      expect(result.stdout).toBe('');
    }
    expect(binds).not.toHaveBeenCalled();
    expect(connects).not.toHaveBeenCalled();
    expect(execs).not.toHaveBeenCalled();
    expect(spawns).not.toHaveBeenCalled();
    expect(server.requests).toBe(before);
  });

  it('while the interception does see what a run would open, and the same outputs on this machine bind and plan', async () => {
    const connects = jest.spyOn(net.Socket.prototype, 'connect').mockImplementation(() => {
      throw new Error('intercepted');
    });
    // The docker CLI is started with spawn (its own process group, chaos/child-process.ts).
    const spawns = jest.spyOn(childProcess, 'spawn').mockImplementation(() => {
      throw new Error('intercepted');
    });
    expect(() => net.connect(Number(new URL(server.url).port), '127.0.0.1')).toThrow('intercepted');
    await expect(localDockerCli({ host: 'unix:///nowhere.sock' }).run(['version'], new AbortController().signal)).rejects.toThrow(
      'intercepted',
    );
    expect(connects).toHaveBeenCalledTimes(1);
    expect(spawns).toHaveBeenCalledTimes(1);

    await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputsFor(server.url)));
    const binds = jest.spyOn(binding, 'bindTarget');
    const result = await runCli(['run', 'exp.yaml', '--dry-run'], dir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(binds).toHaveBeenCalledTimes(1);
  });
});

/**
 * acme:block-directory with the real iptables, setsid, timeout and pgrep of this machine (as root):
 * the fault's own host commands run here as words, with a stand-in `docker` on PATH that lists one
 * proxy container whose ACME_DIRECTORY is a listener of this test. A connection as the proxy's uid
 * (setpriv) is refused while the rule holds and a root one is not; the counters count it; the rule
 * and the host-side remover are gone after. Then the remover alone: a hold that outlives it finds
 * the rule already removed. Run it inside the e2e lock (it adds a platform-chaos rule for seconds).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { acmeBlockDirectory } from '../../../chaos/drivers/acme/block-directory';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostAccess, HostCommands } from '../../../chaos/faults/ports';
import { withHost } from '../helpers/recording-host';
import { contextFor, runFault } from './support/context';
import { testOutputs } from './support/outputs';

const tools = ['iptables', 'setsid', 'timeout', 'pgrep', 'setpriv', 'bash'];
const usable = process.getuid?.() === 0 && tools.every((t) => spawnSync('sh', ['-c', `command -v ${t}`]).status === 0);
const describeAsRoot = usable ? describe : describe.skip;

function tagged(): { rules: string[]; removers: string[] } {
  const rules = (spawnSync('iptables', ['-w', '-S', 'OUTPUT'], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((l) => l.includes('--uid-owner 101') && l.includes('platform-chaos'));
  const removers = (spawnSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).stdout ?? '')
    .split('\n')
    .filter((l) => l.includes('platform-chaos-acme-unblock'));
  return { rules, removers };
}

/** Connects to 127.0.0.1:port as `uid` (0: this process's root); true when it connected. */
function connects(port: number, uid: number): boolean {
  // bash's /dev/tcp: a system binary any uid may run (python3 may be a shim under root's home).
  const probe = ['bash', '-c', 'exec 3<>"/dev/tcp/127.0.0.1/$1"', 'connect', String(port)];
  const words = uid === 0 ? probe : ['setpriv', `--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', '--', ...probe];
  return spawnSync(words[0] ?? '', words.slice(1), { encoding: 'utf8', timeout: 5000 }).status === 0;
}

describeAsRoot('acme:block-directory with the real iptables of this machine', () => {
  let dir = '';
  let server: net.Server;
  let port = 0;
  let host: HostAccess;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'acme-iptables-'));
    server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
    const docker = path.join(dir, 'docker');
    writeFileSync(
      docker,
      `#!/bin/sh\ncase "$1" in\nps) echo 'bc6b942c569c platform-local_proxy.1.x' ;;\ninspect) printf 'DOMAIN=proxy.pebble.test\\nACME_DIRECTORY=https://127.0.0.1:${port}/dir\\n' ;;\n*) exit 1 ;;\nesac\n`,
    );
    chmodSync(docker, 0o755);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` };
    const session: HostCommands = {
      async exec(words) {
        const r = spawnSync(words[0] ?? '', words.slice(1), { encoding: 'utf8', env, timeout: 30_000 });
        return { command: commandLine(words), code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
      },
    };
    host = {
      name: 'ssh',
      where: 'this machine',
      host: '127.0.0.1',
      withSession: (_o, _s, fn) => fn(session),
      httpGet: () => Promise.reject(new Error('none')),
    };
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    expect(tagged()).toEqual({ rules: [], removers: [] });
  });

  it("refuses the proxy's uid while it holds (root still connects), counts it, and leaves nothing", async () => {
    expect(connects(port, 101)).toBe(true);
    const during: boolean[] = [];
    const base = withHost(contextFor(testOutputs()), host);
    const ctx = {
      ...base,
      clock: {
        now: () => Date.now(),
        sleep: async (ms: number) => {
          during.push(connects(port, 101), connects(port, 0));
          // timeout and its sh, both tagged.
          expect(tagged().removers.length).toBeGreaterThanOrEqual(1);
          await new Promise((r) => setTimeout(r, ms));
        },
      },
    };
    const result = await runFault(acmeBlockDirectory, { durationSeconds: 1 }, ctx);
    expect(during).toEqual([false, true]);
    expect((result as { removersEnded: number }).removersEnded).toBeGreaterThanOrEqual(1);
    expect(result).toMatchObject({ blockedPackets: 1, left: 0, rules: [expect.stringContaining(`--dport ${port}`)] });
    expect(tagged()).toEqual({ rules: [], removers: [] });
    expect(connects(port, 101)).toBe(true);
  });

  it('the host-side remover takes the rule away by itself when the hold outlives it (a run that died)', async () => {
    const base = withHost(contextFor(testOutputs()), host);
    let seenDuring = 0;
    const ctx = {
      ...base,
      clock: {
        now: () => Date.now(),
        // 1 s asked; the remover fires at 1 + 15 s; this hold lasts 18 s.
        sleep: async () => {
          seenDuring = tagged().rules.length;
          await new Promise((r) => setTimeout(r, 18_000));
        },
      },
    };
    const result = await runFault(acmeBlockDirectory, { durationSeconds: 1 }, ctx);
    expect(seenDuring).toBe(1);
    expect(result).toMatchObject({ removed: [], removersEnded: 0, left: 0 });
    expect(tagged()).toEqual({ rules: [], removers: [] });
  }, 40_000);
});

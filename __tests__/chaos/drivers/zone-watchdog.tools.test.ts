/**
 * net:cut-zone's host side for real, on this machine's own sh, setsid and pgrep: the words the
 * fault sends over SSH are run here, with a stand-in node-control (a shell script that logs its
 * subcommand and prints the JSON the rehearsal's prints). The watchdog restores a zone by itself,
 * the fault's restore stops the watchdog, and the watchdog killer never kills itself.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { nodeControlFleet } from '../../../chaos/adapters/swarm/node-control';
import { KILL_WATCHDOG_WORDS, netCutZone, watchdogWords, ZONE_WATCHDOG_TAG } from '../../../chaos/drivers/net/cut-zone';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostAccess, HostCommandResult } from '../../../chaos/faults/ports';
import { withHost } from '../helpers/recording-host';
import { contextFor, runFault } from './support/context';
import { RecordedDocker } from './support/recorded-docker';
import { testOutputs } from './support/outputs';

const NODES = [
  { name: 'node-1', zone: 'zone-a', address: '10.210.0.11' },
  { name: 'node-2', zone: 'zone-b', address: '10.210.0.12' },
];

let dir: string;
let script: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'zone-watchdog-'));
  log = path.join(dir, 'calls.log');
  script = path.join(dir, 'node-control');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      `echo "$1 $2" >> '${log}'`,
      'case "$1" in',
      '  cut-zone) s=down ;;',
      '  restore-zone) s=up ;;',
      '  *) exit 2 ;;',
      'esac',
      'printf \'{"zone":"%s","nodes":["node-1"],"links":[{"name":"veth-node-1","state":"%s"}]}\\n\' "$2" "$s"',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
});

afterEach(async () => {
  await run(KILL_WATCHDOG_WORDS);
  rmSync(dir, { recursive: true, force: true });
});

function run(words: readonly string[]): Promise<HostCommandResult> {
  return new Promise((resolve) => {
    execFile(words[0] as string, words.slice(1), { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ command: commandLine(words), code, stdout, stderr });
    });
  });
}

const shellHost: HostAccess = {
  name: 'ssh',
  where: 'this machine',
  host: '127.0.0.1',
  withSession: (_o, _s, fn) => fn({ exec: run }),
  httpGet: () => Promise.reject(new Error('no HTTP')),
};

const calls = (): string[] => readFileSync(log, 'utf8').trim().split('\n');
const watchdogs = async (): Promise<string> =>
  (await run(['sh', '-c', `pgrep -f -- "[${ZONE_WATCHDOG_TAG[0]}]${ZONE_WATCHDOG_TAG.slice(1)}" || true`])).stdout.trim();
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('a watchdog left alone restores the zone by itself', async () => {
  const started = await run(watchdogWords(1, [script, 'restore-zone', 'zone-a']));
  expect(started.stdout).toMatch(/^pid \d+$/m);
  expect(await watchdogs()).not.toBe('');
  await wait(2500);
  expect(calls()).toEqual(['restore-zone zone-a']);
  expect(await watchdogs()).toBe('');
});

it('the killer stops a pending watchdog (and its sleep) and survives itself', async () => {
  const started = await run(watchdogWords(30, [script, 'restore-zone', 'zone-a']));
  const sid = /^pid (\d+)$/m.exec(started.stdout)?.[1] ?? '';
  await wait(200);
  // Its session's live processes (a zombie waits for whoever adopted it to reap it): the watchdog's shell and its sleep.
  const session = async () => (await run(['sh', '-c', `ps -o stat=,pid= -s ${sid} | grep -v '^Z' || true`])).stdout.trim();
  expect((await session()).split('\n')).toHaveLength(2);
  const killed = await run(KILL_WATCHDOG_WORDS);
  expect(killed.code).toBe(0);
  expect(killed.stdout).toMatch(new RegExp(`^killed ${sid}$`, 'm'));
  await wait(300);
  expect(await watchdogs()).toBe('');
  expect(await session()).toBe('');
});

it('the fault: watchdog, cut, hold, restore, watchdog stopped; nothing left', async () => {
  const outputs = testOutputs({ nodes: NODES, nodeControl: [script] });
  const docker = new RecordedDocker();
  const base = withHost(contextFor(outputs, { docker: () => docker }), shellHost);
  const fleet = nodeControlFleet(outputs, shellHost, () => docker);
  const ctx = { ...base, use: ((port) => (port === 'nodes' ? fleet : base.use(port))) as typeof base.use };
  const result = await runFault(netCutZone, { zone: 'zone-a', durationSeconds: 1 }, ctx);
  expect(calls()).toEqual(['cut-zone zone-a', 'restore-zone zone-a']);
  expect(result).toMatchObject({ linksDown: { links: [{ state: 'down' }] }, linksUp: { links: [{ state: 'up' }], watchdogsStopped: 1 } });
  expect(await watchdogs()).toBe('');
});

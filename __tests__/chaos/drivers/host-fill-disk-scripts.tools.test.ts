/**
 * host:fill-disk's scripts for real, on this machine's own sh, df, fallocate, find and stat: the
 * words the fault sends over SSH or SSM are run here, against a tmpfs directory standing in for the
 * container runtime's data directory. (The e2e runs them over SSH against the rehearsal.)
 */
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { hostFillDisk } from '../../../chaos/drivers/host/fill-disk';
import type { DiskUsage } from '../../../chaos/drivers/host/disk-usage';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostAccess, HostCommandResult, HostCommands } from '../../../chaos/faults/ports';
import type { Clock } from '../../../chaos/faults/types';
import { withHost } from '../helpers/recording-host';
import { contextFor, rollbackFault, runFault } from './support/context';
import { testOutputs } from './support/outputs';

const MIB = 1024 * 1024;

/** A clock whose sleep resolves at once, after running `during` (the file is checked while held). */
function holdingClock(during: () => void): Clock & { slept: number[] } {
  const slept: number[] = [];
  return {
    slept,
    now: () => Date.now(),
    sleep: async (ms) => {
      slept.push(ms);
      during();
    },
  };
}

/**
 * A host that runs the fault's words with this machine's own sh, df, fallocate, find and stat; only
 * `docker` is a stand-in that names a test directory on /dev/shm (tmpfs: its df moves with the fill
 * and nothing else writes there). The scripts are the ones sent over SSH or SSM.
 */
function localShellHost(bin: string, extraPath = ''): HostAccess & { commands: string[][] } {
  const commands: string[][] = [];
  const session: HostCommands = {
    exec: (words) =>
      new Promise<HostCommandResult>((resolve) => {
        commands.push([...words]);
        const [file = '', ...rest] = words;
        execFile(file, rest, { env: { PATH: `${bin}:${extraPath || process.env.PATH}` } }, (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
          resolve({ command: commandLine(words), code, stdout, stderr });
        });
      }),
  };
  return {
    name: 'ssh',
    where: 'root@local-shell',
    host: '127.0.0.1',
    commands,
    withSession: (_o, _s, fn) => fn(session),
    httpGet: () => Promise.reject(new Error('no HTTP here')),
  };
}

describe('host:fill-disk with the real scripts on this machine (a tmpfs directory as the data directory)', () => {
  let dataDir = '';
  let bin = '';

  beforeAll(() => {
    dataDir = mkdtempSync('/dev/shm/platform-chaos-test-');
    bin = mkdtempSync('/dev/shm/platform-chaos-test-bin-');
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho ${dataDir}\n`);
    chmodSync(path.join(bin, 'docker'), 0o755);
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  });

  const fills = (): string[] => readdirSync(dataDir).filter((f) => f.startsWith('platform-chaos-fill-'));

  it('GIVEN a disk with room beyond the cap THEN it writes exactly the cap, holds it, removes it, with df before/during/after', async () => {
    let heldFile: { name: string; size: number } | null = null;
    const clock = holdingClock(() => {
      const [name] = fills();
      heldFile = name === undefined ? null : { name, size: statSync(path.join(dataDir, name)).size };
    });
    const host = localShellHost(bin);
    const ctx = { ...withHost(contextFor(testOutputs()), host), clock };
    const result = (await runFault(hostFillDisk, { durationSeconds: 3, percent: 98, maxBytes: 8 * MIB }, ctx)) as {
      bytesWritten: number;
      reached: string;
      file: string;
      method: string;
      removed: string[];
      df: Record<'before' | 'during' | 'after', DiskUsage>;
    };
    expect(clock.slept).toEqual([3000]);
    expect(heldFile).toEqual({ name: path.basename(result.file), size: 8 * MIB });
    expect(result).toMatchObject({
      directory: dataDir,
      bytesWritten: 8 * MIB,
      reached: 'cap',
      method: 'fallocate',
      removed: [result.file],
    });
    expect(result.df.during.usedBytes - result.df.before.usedBytes).toBe(8 * MIB);
    expect(result.df.after.usedBytes).toBe(result.df.before.usedBytes);
    expect(fills()).toEqual([]);
    // Every helper process carries the tag in its argv.
    expect(host.commands.filter((w) => w[0] === 'sh').every((w) => /^platform-chaos-fill-disk/.test(w[3] ?? ''))).toBe(true);
  });

  it('GIVEN no fallocate THEN head -c writes the same bytes', async () => {
    // A PATH with sh and the coreutils but not fallocate: links to what this machine has.
    const tools = mkdtempSync('/dev/shm/platform-chaos-test-tools-');
    try {
      for (const t of ['sh', 'df', 'find', 'stat', 'head', 'rm', 'test', 'timeout', 'id']) {
        const found = ['/usr/bin', '/bin'].map((d) => path.join(d, t)).find((p) => existsSync(p));
        if (found !== undefined) writeFileSync(path.join(tools, t), `#!/bin/sh\nexec ${found} "$@"\n`, { mode: 0o755 });
      }
      const host = localShellHost(bin, tools);
      const ctx = { ...withHost(contextFor(testOutputs()), host), clock: holdingClock(() => undefined) };
      const result = await runFault(hostFillDisk, { durationSeconds: 1, maxBytes: 2 * MIB }, ctx);
      expect(result).toMatchObject({ method: 'head', bytesWritten: 2 * MIB, reached: 'cap' });
      expect(fills()).toEqual([]);
    } finally {
      rmSync(tools, { recursive: true, force: true });
    }
  });

  it('GIVEN an abort while held THEN the file is removed at once and the abort thrown', async () => {
    const controller = new AbortController();
    const clock: Clock = {
      now: () => Date.now(),
      sleep: (_ms, signal) =>
        new Promise((_resolve, reject) => {
          controller.abort(new Error('interrupted by test'));
          reject(signal?.reason);
        }),
    };
    const ctx = { ...withHost(contextFor(testOutputs(), {}, controller.signal), localShellHost(bin)), clock };
    await expect(runFault(hostFillDisk, { durationSeconds: 60, maxBytes: 4 * MIB }, ctx)).rejects.toThrow('interrupted by test');
    expect(fills()).toEqual([]);
  });

  it('rollback removes every platform-chaos-fill-* file there (and only those), and again finds nothing', async () => {
    writeFileSync(path.join(dataDir, 'platform-chaos-fill-1'), 'x');
    writeFileSync(path.join(dataDir, 'platform-chaos-fill-2'), 'x');
    writeFileSync(path.join(dataDir, 'keep-me'), 'x');
    const ctx = withHost(contextFor(testOutputs()), localShellHost(bin));
    const first = (await rollbackFault(hostFillDisk, { durationSeconds: 1 }, ctx, null)) as { removed: string[] };
    expect(first.removed.sort()).toEqual([path.join(dataDir, 'platform-chaos-fill-1'), path.join(dataDir, 'platform-chaos-fill-2')]);
    expect(await rollbackFault(hostFillDisk, { durationSeconds: 1 }, ctx, null)).toMatchObject({ removed: [] });
    expect(readdirSync(dataDir)).toEqual(['keep-me']);
    rmSync(path.join(dataDir, 'keep-me'));
  });

  it('GIVEN a missing tool THEN one line naming it and nothing written', async () => {
    const tools = mkdtempSync('/dev/shm/platform-chaos-test-tools-');
    try {
      // sh, id and docker only: no df, find, stat, fallocate or head.
      writeFileSync(path.join(tools, 'sh'), '#!/bin/sh\nexec /bin/sh "$@"\n', { mode: 0o755 });
      writeFileSync(path.join(tools, 'id'), '#!/bin/sh\nexec /usr/bin/id "$@"\n', { mode: 0o755 });
      const host = localShellHost(bin, tools);
      const attempt = runFault(hostFillDisk, { durationSeconds: 1 }, withHost(contextFor(testOutputs()), host));
      await expect(attempt).rejects.toThrow(/^host:fill-disk needs df, find, stat, fallocate on root@local-shell: install them/);
      expect(host.commands).toHaveLength(1);
      expect(fills()).toEqual([]);
    } finally {
      rmSync(tools, { recursive: true, force: true });
    }
  });
});

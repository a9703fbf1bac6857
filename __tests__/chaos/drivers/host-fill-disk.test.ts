import { hostFillDisk } from '../../../chaos/drivers/host/fill-disk';
import { parseDf, planFill, type DiskUsage } from '../../../chaos/drivers/host/disk-usage';
import { targetFor } from './support/context';
import { testOutputs } from './support/outputs';

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe('host:fill-disk arguments: a mark, a hard cap on bytes, a bounded duration', () => {
  it.each<[string, unknown, boolean]>([
    ['a duration (mark 90 %, cap 1 GiB)', { durationSeconds: 10 }, true],
    ['a mark and a cap', { durationSeconds: 10, percent: 95, maxBytes: 512 * MIB }, true],
    ['no duration', {}, false],
    ['a mark past 98 %', { durationSeconds: 10, percent: 99 }, false],
    ['a fractional mark', { durationSeconds: 10, percent: 90.5 }, false],
    ['a cap under 1 MiB', { durationSeconds: 10, maxBytes: 1000 }, false],
    ['a cap over 64 GiB', { durationSeconds: 10, maxBytes: 65 * GIB }, false],
    ['a duration over 10 minutes', { durationSeconds: 601 }, false],
    ['a directory (it comes from docker info)', { durationSeconds: 10, directory: '/' }, false],
  ])('%s', (_name, args, valid) => {
    expect(hostFillDisk.bind(args).ok).toBe(valid);
  });

  it('is destructive, has a rollback, names the host and says what it would do', () => {
    const bound = hostFillDisk.bind({ durationSeconds: 10, maxBytes: 512 * MIB });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.destructive).toBe(true);
    expect(bound.bound.rollback).not.toBeNull();
    expect(bound.bound.targets(testOutputs())).toEqual([{ kind: 'host', host: '127.0.0.1' }]);
    expect(bound.bound.describe(targetFor(testOutputs()))).toBe(
      "over SSH to ec2-user@[127.0.0.1]:2222: docker info --format '{{.DockerRootDir}}'; df -P -k <it>; fallocate -l <bytes to 90 %, at most 536870912> <it>/platform-chaos-fill-<time>; hold 10 s; remove it",
    );
  });
});

describe('df and the fill plan', () => {
  const df = (usedK: number, availK: number): string =>
    `Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/nvme0n1p1  ${usedK + availK + 100}  ${usedK} ${availK}      10% /\n`;
  const usage = (usedBytes: number, availableBytes: number): DiskUsage => parseDf(df(usedBytes / 1024, availableBytes / 1024));

  it("parses df -P -k into bytes and df's own percent", () => {
    expect(parseDf(df(1000, 3000))).toEqual({
      sizeBytes: 4100 * 1024,
      usedBytes: 1000 * 1024,
      availableBytes: 3000 * 1024,
      usedPercent: 25,
      mountedOn: '/',
    });
    expect(parseDf('Filesystem 1024-blocks Used Available Capacity Mounted on\ntmpfs 10 0 10 0% /mnt/with space\n').mountedOn).toBe(
      '/mnt/with space',
    );
  });

  it.each(['', 'df: /nowhere: No such file or directory', 'Filesystem\n/dev/x a b c 1% /'])('refuses df output %j', (out) => {
    expect(() => parseDf(out)).toThrow(/unexpected df -P -k output/);
  });

  it.each<[string, DiskUsage, number, number, { bytes: number; bound: string }]>([
    ['a small disk: the mark decides', usage(10 * GIB, 10 * GIB), 90, 16 * GIB, { bytes: 8 * GIB, bound: 'mark' }],
    ['a large disk: the cap decides', usage(30 * GIB, 70 * GIB), 90, 512 * MIB, { bytes: 512 * MIB, bound: 'cap' }],
    ['already past the mark: nothing', usage(95 * GIB, 5 * GIB), 90, GIB, { bytes: 0, bound: 'already' }],
    ['at the 98 % ceiling: nothing', usage(98 * GIB, 2 * GIB), 98, GIB, { bytes: 0, bound: 'already' }],
  ])('%s', (_name, u, mark, cap, expected) => {
    const plan = planFill(u, mark, cap);
    expect(plan).toMatchObject(expected);
    expect(plan.bytes % 4096).toBe(0);
    expect(plan.bytes).toBeLessThanOrEqual(cap);
    const usable = u.usedBytes + u.availableBytes;
    expect((u.usedBytes + plan.bytes) / usable).toBeLessThanOrEqual(Math.max(mark / 100, u.usedBytes / usable));
  });
});

import { spawn, spawnSync } from 'node:child_process';
import { hostBurnCpu } from '../../../chaos/drivers/host/burn-cpu';
import {
  controllerCgroup,
  memoryFiles,
  parentDir,
  parseCpuQuota,
  parseKeyValues,
  parseLimit,
  parseProcCgroup,
} from '../../../chaos/drivers/host/container-cgroup';
import { hostExhaustMemory } from '../../../chaos/drivers/host/exhaust-memory';
import {
  helperTag,
  killTaggedHelpers,
  launchWords,
  parseContainerState,
  selfExcludingPattern,
} from '../../../chaos/drivers/host/host-helper';
import { hostKillProcess } from '../../../chaos/drivers/host/kill-process';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostCommands } from '../../../chaos/faults/ports';
import { targetFor } from './support/context';
import { awsOutputs, testOutputs } from './support/outputs';

const ID = 'a'.repeat(64);

/** This machine's layout when these tests were written: cgroup v1 controllers, and a v2 line. */
const HYBRID = `9:name=systemd:/docker/${ID}
8:pids:/docker/${ID}
4:memory:/docker/${ID}
2:cpuacct:/docker/${ID}
1:cpu:/docker/${ID}
0::/docker/${ID}
`;
/** Amazon Linux 2023 with the ECS agent: one v2 line, the container under its task's cgroup. */
const V2_ECS = `0::/ecs/0123456789abcdef0123456789abcdef/${ID}\n`;
/** Older distributions mount cpu and cpuacct together. */
const COMOUNTED = `5:cpu,cpuacct:/system.slice/docker-${ID}.scope\n4:memory:/system.slice/docker-${ID}.scope\n`;

describe('the container cgroup, from /proc/<pid>/cgroup', () => {
  it.each<[string, string, 'memory' | 'cpu' | 'cpuacct', { version: number; dir: string; membership: string }]>([
    [
      'v1 memory (hybrid: the v1 line wins over 0::)',
      HYBRID,
      'memory',
      { version: 1, dir: `/sys/fs/cgroup/memory/docker/${ID}`, membership: `memory:/docker/${ID}` },
    ],
    ['v1 cpu', HYBRID, 'cpu', { version: 1, dir: `/sys/fs/cgroup/cpu/docker/${ID}`, membership: `cpu:/docker/${ID}` }],
    ['v1 cpuacct', HYBRID, 'cpuacct', { version: 1, dir: `/sys/fs/cgroup/cpuacct/docker/${ID}`, membership: `cpuacct:/docker/${ID}` }],
    [
      'v2 memory',
      V2_ECS,
      'memory',
      {
        version: 2,
        dir: `/sys/fs/cgroup/ecs/0123456789abcdef0123456789abcdef/${ID}`,
        membership: `:/ecs/0123456789abcdef0123456789abcdef/${ID}`,
      },
    ],
    [
      'v2 cpu: the same directory',
      V2_ECS,
      'cpu',
      {
        version: 2,
        dir: `/sys/fs/cgroup/ecs/0123456789abcdef0123456789abcdef/${ID}`,
        membership: `:/ecs/0123456789abcdef0123456789abcdef/${ID}`,
      },
    ],
    [
      'co-mounted cpu,cpuacct (through the cpu link)',
      COMOUNTED,
      'cpu',
      { version: 1, dir: `/sys/fs/cgroup/cpu/system.slice/docker-${ID}.scope`, membership: `cpu,cpuacct:/system.slice/docker-${ID}.scope` },
    ],
    [
      'co-mounted, cpuacct',
      COMOUNTED,
      'cpuacct',
      {
        version: 1,
        dir: `/sys/fs/cgroup/cpuacct/system.slice/docker-${ID}.scope`,
        membership: `cpu,cpuacct:/system.slice/docker-${ID}.scope`,
      },
    ],
  ])('%s', (_name, text, controller, expected) => {
    expect(controllerCgroup(parseProcCgroup(text), controller)).toEqual({ controller, ...expected });
  });

  it.each<[string, string, RegExp]>([
    ['the root cgroup (a process not confined)', '4:memory:/\n0::/\n', /root cgroup .* refused, it would hit the whole host/],
    ['a parent segment', '4:memory:/docker/../../etc\n', /refused cgroup path/],
    ['a shell metacharacter', '4:memory:/docker/$(reboot)\n', /refused cgroup path/],
    ['a space', '4:memory:/docker/a b\n', /refused cgroup path/],
    ['no such controller and no v2 line', '1:cpu:/docker/x\n', /no memory cgroup/],
    ['a line of another form', 'memory /docker/x\n', /unexpected line in \/proc\/<pid>\/cgroup/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => controllerCgroup(parseProcCgroup(text), 'memory')).toThrow(message);
  });

  it('names the parent (an ECS task holds its task-level limits there), none above the hierarchy root', () => {
    expect(parentDir(controllerCgroup(parseProcCgroup(V2_ECS), 'cpu'))).toBe('/sys/fs/cgroup/ecs/0123456789abcdef0123456789abcdef');
    expect(parentDir(controllerCgroup(parseProcCgroup(HYBRID), 'cpu'))).toBe('/sys/fs/cgroup/cpu/docker');
    expect(parentDir(controllerCgroup(parseProcCgroup('1:cpu:/x\n'), 'cpu'))).toBeNull();
  });

  it('reads each version from its own files', () => {
    expect(memoryFiles(controllerCgroup(parseProcCgroup(HYBRID), 'memory'))).toEqual({
      limit: `/sys/fs/cgroup/memory/docker/${ID}/memory.limit_in_bytes`,
      usage: `/sys/fs/cgroup/memory/docker/${ID}/memory.usage_in_bytes`,
      events: `/sys/fs/cgroup/memory/docker/${ID}/memory.oom_control`,
    });
    expect(memoryFiles(controllerCgroup(parseProcCgroup(V2_ECS), 'memory')).limit).toMatch(/\/memory\.max$/);
  });

  it.each<[string, number | null]>([
    ['134217728\n', 134217728],
    ['9223372036854771712\n', null],
    ['max\n', null],
  ])('memory limit %j is %p', (text, bytes) => {
    expect(parseLimit(text)).toBe(bytes);
  });

  it('refuses a limit it cannot read', () => {
    expect(() => parseLimit('12k')).toThrow(/unexpected memory limit/);
  });

  it.each<[string, 1 | 2, { quota?: string; period?: string; max?: string }, number | null]>([
    ['v1 quarter', 1, { quota: '25000\n', period: '100000\n' }, 0.25],
    ['v1 none', 1, { quota: '-1\n', period: '100000\n' }, null],
    ['v2 quarter', 2, { max: '25000 100000\n' }, 0.25],
    ['v2 none', 2, { max: 'max 100000\n' }, null],
  ])('CPU quota, %s', (_name, version, files, cpus) => {
    expect(parseCpuQuota(version, files)).toBe(cpus);
  });

  it('reads key-value counters (cpu.stat, memory.events, memory.oom_control)', () => {
    expect(parseKeyValues('oom_kill_disable 0\nunder_oom 0\noom_kill 2\n')).toEqual({ oom_kill_disable: 0, under_oom: 0, oom_kill: 2 });
    expect(parseKeyValues('usage_usec 1200\nnr_throttled 7\n')).toEqual({ usage_usec: 1200, nr_throttled: 7 });
  });

  it('reads the container state docker inspect prints', () => {
    expect(parseContainerState(`${ID} exited 0 true 137 2024-05-01T10:00:00.1Z 2024-05-01T10:01:00.2Z\n`)).toEqual({
      id: ID,
      status: 'exited',
      pid: 0,
      oomKilled: true,
      exitCode: 137,
      startedAt: '2024-05-01T10:00:00.1Z',
      finishedAt: '2024-05-01T10:01:00.2Z',
    });
    expect(() => parseContainerState('running 1')).toThrow(/unexpected container state/);
  });
});

describe('the helper command', () => {
  const words = launchWords([], {
    tag: helperTag('exhaust-memory'),
    seconds: 30,
    pid: 4217,
    containerId: ID,
    script: 'echo inner',
    args: ['/sys/fs/cgroup/memory/docker/x', '268435456'],
  });

  it('is constant scripts with checked positional arguments, tagged in the argv of both shells', () => {
    expect(words[0]).toBe('sh');
    expect(words[1]).toBe('-c');
    expect(words.slice(3)).toEqual([
      'platform-chaos-exhaust-memory',
      '30',
      '4217',
      ID,
      'sh',
      '-c',
      'echo inner',
      'platform-chaos-exhaust-memory',
      '/sys/fs/cgroup/memory/docker/x',
      '268435456',
    ]);
    // Its own session, bounded by timeout (which signals the group), its children in the container's pid namespace, after a check of the pid.
    expect(words[2]).toMatch(/grep -q -F -- "\$id" "\/proc\/\$pid\/cgroup" \|\| \{/);
    expect(words[2]).toMatch(
      /setsid timeout -s TERM -k 5 "\$secs" nsenter --target "\$pid" --pid --no-fork -- "\$@" <\/dev\/null >\/dev\/null 2>&1 &/,
    );
  });

  it('goes through sudo -n for a user that is not root', () => {
    expect(launchWords(['sudo', '-n'], { tag: 't', seconds: 1, pid: 1, containerId: ID, script: 's', args: [] }).slice(0, 3)).toEqual([
      'sudo',
      '-n',
      'sh',
    ]);
  });

  it('is found by a pattern that does not find the cleanup itself', () => {
    const tag = helperTag('burn-cpu');
    const pattern = new RegExp(selfExcludingPattern(tag));
    expect(pattern.test(commandLine(words.map((w) => w.replace('exhaust-memory', 'burn-cpu'))))).toBe(true);
    expect(pattern.test(`sh -c cleanup chaos-cleanup ${selfExcludingPattern(tag)}`)).toBe(false);
  });
});

describe('host fault arguments and dry runs', () => {
  it.each<[string, unknown, boolean]>([
    ['a cap', { service: 'api', maxBytes: 268435456 }, true],
    ['a cap and a timeout', { service: 'api', maxBytes: 268435456, timeoutSeconds: 60 }, true],
    ['no cap (there must be one)', { service: 'api' }, false],
    ['a cap below 1 MiB', { service: 'api', maxBytes: 1000 }, false],
    ['a fractional cap', { service: 'api', maxBytes: 1.5e6 + 0.5 }, false],
    ['a timeout of 0', { service: 'api', maxBytes: 268435456, timeoutSeconds: 0 }, false],
    ['a service the platform does not have', { service: 'db', maxBytes: 268435456 }, false],
  ])('host:exhaust-memory with %s', (_name, args, valid) => {
    expect(hostExhaustMemory.bind(args).ok).toBe(valid);
  });

  it.each<[string, unknown, boolean]>([
    ['a duration', { service: 'api', durationSeconds: 15 }, true],
    ['workers', { service: 'api', durationSeconds: 15, workers: 2 }, true],
    ['no duration', { service: 'api' }, false],
    ['17 workers', { service: 'api', durationSeconds: 15, workers: 17 }, false],
  ])('host:burn-cpu with %s', (_name, args, valid) => {
    expect(hostBurnCpu.bind(args).ok).toBe(valid);
  });

  it.each<[string, unknown, boolean]>([
    ['the default signal', { service: 'api' }, true],
    ['SIGTERM', { service: 'api', signal: 'SIGTERM' }, true],
    ['SIGSTOP (not a crash)', { service: 'api', signal: 'SIGSTOP' }, false],
    ['a signal carrying a command', { service: 'api', signal: 'KILL; id' }, false],
  ])('host:kill-process with %s', (_name, args, valid) => {
    expect(hostKillProcess.bind(args).ok).toBe(valid);
  });

  it('says what would run, where, on both targets; the helpers declare a rollback, the kill none', () => {
    const bound = hostExhaustMemory.bind({ service: 'api', maxBytes: 268435456 });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(testOutputs()))).toMatch(
      /^over SSH to ec2-user@\[127\.0\.0\.1\]:2222: docker ps --filter label=com\.docker\.swarm\.service\.name=platform-test-api .*setsid timeout -s TERM -k 5 30 nsenter --target <pid> --pid --no-fork -- .*head -c 268435456 \/dev\/zero \| tail> platform-chaos-exhaust-memory; wait up to 30s for the OOM kill$/,
    );
    expect(bound.bound.describe(targetFor(awsOutputs({ sshPort: 22, sshHost: '203.0.113.7' })))).toContain(
      'label=com.amazonaws.ecs.container-name=api',
    );
    expect(bound.bound.targets(testOutputs())).toEqual([
      { kind: 'host', host: '127.0.0.1' },
      { kind: 'service', service: 'platform-test-api' },
      { kind: 'container', container: 'api' },
    ]);
    expect([hostExhaustMemory, hostBurnCpu, hostKillProcess].map((f) => [f.id, f.destructive, f.hasRollback])).toEqual([
      ['host:exhaust-memory', true, true],
      ['host:burn-cpu', true, true],
      ['host:kill-process', true, false],
    ]);
  });
});

/** Runs words on this machine as the host port would on the host (no shell between). */
const localHost: HostCommands = {
  exec(words) {
    const [file = '', ...rest] = words;
    const result = spawnSync(file, rest, { encoding: 'utf8', timeout: 10_000 });
    return Promise.resolve({ command: commandLine(words), code: result.status, stdout: result.stdout, stderr: result.stderr });
  },
};

describe('the cleanup, on real processes of this machine', () => {
  it("kills a tagged helper's whole session, its untagged children too, and is idempotent", async () => {
    const tag = `platform-chaos-unit-${process.pid}`;
    // As launchWords starts one: its own session (setsid does not fork, as the child leads no group), a tagged shell, untagged children.
    const helper = spawn('setsid', ['sh', '-c', 'sleep 300 & sleep 300 & wait', tag], { stdio: 'ignore' });
    const sid = helper.pid ?? 0;
    // Live members of the session: the shell, once killed, stays a zombie until this process reaps it.
    const session = (): number[] =>
      spawnSync('ps', ['-o', 'stat=,pid=', '-s', String(sid)], { encoding: 'utf8' })
        .stdout.split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter(([stat]) => stat !== undefined && stat !== '' && !stat.startsWith('Z'))
        .map(([, pid]) => Number(pid));
    for (let i = 0; i < 50 && session().length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    expect(session()).toHaveLength(3);

    try {
      const first = await killTaggedHelpers(localHost, [], tag);
      expect(first.left).toEqual([]);
      expect(first.killed).toContain(sid);
      expect(session()).toEqual([]);
      const again = await killTaggedHelpers(localHost, [], tag);
      expect(again).toEqual({ killed: [], left: [] });
    } finally {
      if (sid > 0) spawnSync('kill', ['-s', 'KILL', '--', `-${sid}`]);
    }
  });
});

/**
 * The net driver without a host: arguments, the rules built from the outputs and the contract,
 * the parsers of what the host prints, and the order of the commands sent (a host faked at the
 * HostCommands boundary). The real effects are proven in net-faults.tools.test.ts (a network
 * namespace) and __tests__/e2e/faults-network.test.ts (the rehearsal).
 */
import { netBlackholePort } from '../../../chaos/drivers/net/blackhole-port';
import { DELAYER_SCRIPT, parseDelayerCounters } from '../../../chaos/drivers/net/delayer-script';
import { delayerWords, netDelayPort } from '../../../chaos/drivers/net/delay-port';
import { lossFigures, netDropPackets } from '../../../chaos/drivers/net/drop-packets';
import { CHECK_SCRIPT, CLEANUP_SCRIPT, LAUNCH_SCRIPT, parseCheck, parseCleanup } from '../../../chaos/drivers/net/host-scripts';
import {
  blackholeRules,
  delayRules,
  insertWords,
  lossRules,
  parseCounters,
  pathMatch,
  probability,
} from '../../../chaos/drivers/net/path-rules';
import { FAULT_CATALOG } from '../../../chaos/drivers';
import { netTargets } from '../../../chaos/drivers/net/hold';
import { firstBlastRadiusViolation } from '../../../chaos/targets/blast-radius';
import type { LocalOutputs } from '../../../contract/outputs';
import { createFaultRecord } from '../../../chaos/faults/fault-record';
import type { HostAccess, HostCommandResult, Ports } from '../../../chaos/faults/ports';
import type { DriverContext, Fault } from '../../../chaos/faults/types';
import type { JsonValue } from '../../../contract/json';
import { targetFor } from './support/context';
import { testOutputs } from './support/outputs';

const outputs = testOutputs();
const api = pathMatch(outputs, 'api');

/** The outputs with the API's copies on these ports, copy 1 keeping the service's own names. */
function withApiCopies(base: LocalOutputs, ports: readonly number[]): LocalOutputs {
  const a = base.services.api;
  const copies = ports.map((port, i) => ({
    serviceName: i === 0 ? a.serviceName : `${a.serviceName}-${i + 1}`,
    containerName: i === 0 ? a.containerName : `${a.containerName}-${i + 1}`,
    port,
    taskFamily: i === 0 ? a.taskFamily : `${a.taskFamily}-${i + 1}`,
  }));
  return { ...base, services: { ...base.services, api: { ...a, port: ports[0] ?? a.port, copies } } };
}

describe('net fault arguments', () => {
  it.each<[Fault, string, unknown, boolean]>([
    [netBlackholePort, 'a duration (service defaults to api)', { durationSeconds: 5 }, true],
    [netBlackholePort, 'the frontend', { durationSeconds: 5, service: 'frontend' }, true],
    [netBlackholePort, 'the proxy (no path from the proxy to itself)', { durationSeconds: 5, service: 'proxy' }, false],
    [netBlackholePort, 'no duration', {}, false],
    [netBlackholePort, 'an unbounded duration', { durationSeconds: 86_400 }, false],
    [netBlackholePort, 'a port (ports come from the outputs)', { durationSeconds: 5, port: 22 }, false],
    [netDropPackets, 'a loss', { durationSeconds: 5, lossPercent: 20 }, true],
    [netDropPackets, 'no loss', { durationSeconds: 5, lossPercent: 0 }, false],
    [netDropPackets, 'more than all', { durationSeconds: 5, lossPercent: 101 }, false],
    [netDelayPort, 'a delay', { durationSeconds: 5, delayMs: 300 }, true],
    [netDelayPort, 'a delay and jitter', { durationSeconds: 5, delayMs: 300, jitterMs: 50 }, true],
    [netDelayPort, 'jitter over the delay', { durationSeconds: 5, delayMs: 30, jitterMs: 50 }, false],
    [netDelayPort, 'a fractional delay', { durationSeconds: 5, delayMs: 1.5 }, false],
  ])('%#: %s with %s', (fault, _what, args, valid) => {
    expect(fault.bind(args).ok).toBe(valid);
  });

  it('are in the catalog, destructive, undone in rollbacks, and use the host only', () => {
    for (const id of ['net:blackhole-port', 'net:drop-packets', 'net:delay-port']) {
      const fault = FAULT_CATALOG.get(id);
      expect(fault).toMatchObject({ kind: 'action', destructive: true, hasRollback: true, requires: [{ port: 'host' }] });
    }
  });
});

describe('the rules: the proxy uid, loopback, the service port, tagged', () => {
  it('match the proxy uid from the contract and the port from the outputs', () => {
    expect(api).toEqual({ uid: 101, ports: [outputs.services.api.port], service: 'api', copy: null });
    expect(insertWords(blackholeRules(api)[0]!).join(' ')).toBe(
      `iptables -w -I OUTPUT 1 -o lo -p tcp -m owner --uid-owner 101 -m tcp --dport ${outputs.services.api.port} -m comment --comment platform-chaos-net-blackhole -j DROP`,
    );
    expect(pathMatch(outputs, 'frontend').ports).toEqual([outputs.services.frontend.port]);
  });

  describe('with two copies in the outputs', () => {
    const two = withApiCopies(outputs, [8080, 8082]);

    it('match every copy by default (one multiport rule), so the fault is felt through the proxy', () => {
      const m = pathMatch(two, 'api');
      expect(m.ports).toEqual([8080, 8082]);
      expect(insertWords(blackholeRules(m)[0]!).join(' ')).toBe(
        'iptables -w -I OUTPUT 1 -o lo -p tcp -m owner --uid-owner 101 -m multiport --dports 8080,8082 -m comment --comment platform-chaos-net-blackhole -j DROP',
      );
      expect(netTargets('api', two)).toEqual([
        { kind: 'host', host: two.sshHost },
        { kind: 'service', service: 'platform-test-api' },
        { kind: 'service', service: 'platform-test-api-2' },
        { kind: 'service', service: 'platform-test-proxy' },
      ]);
    });

    it('match one copy when asked (copy 2: its port and its service only)', () => {
      const m = pathMatch(two, 'api', 2);
      expect(m).toMatchObject({ ports: [8082], copy: 2 });
      expect(lossRules(m, 10)[1]!.join(' ')).toContain('-m tcp --dport 8082 ');
      expect(netTargets('api', two, 2).filter((t) => t.kind === 'service')).toEqual([
        { kind: 'service', service: 'platform-test-api-2' },
        { kind: 'service', service: 'platform-test-proxy' },
      ]);
    });

    it('refuse a copy the outputs do not list: the blast radius names it, the rules say which copies exist', () => {
      const refused = firstBlastRadiusViolation(netTargets('api', two, 3), two);
      expect(refused).toMatch(/^service "api copy 3" is not named in the outputs/);
      expect(() => pathMatch(two, 'api', 3)).toThrow(
        'copy 3 of the api is not in the outputs: they list 2 (ports 8080, 8082); pick 1 to 2',
      );
      expect(netBlackholePort.bind({ durationSeconds: 5, copy: 0 }).ok).toBe(false);
    });
  });

  it('loss: the random DROP, then a counting rule inserted above it', () => {
    const [drop, count] = lossRules(api, 12.5);
    expect(drop!.slice(-8)).toEqual(['-m', 'statistic', '--mode', 'random', '--probability', '0.1250', '-j', 'DROP']);
    expect(count).not.toContain('-j');
    expect(count!.join(' ')).toContain('--comment platform-chaos-net-loss');
    expect(probability(100)).toBe('1.0000');
    expect(probability(0.01)).toBe('0.0001');
  });

  it('delay: to the delayer queue, bypassed when no delayer listens', () => {
    expect(delayRules(api)[0]!.slice(-5)).toEqual(['-j', 'NFQUEUE', '--queue-num', '4710', '--queue-bypass']);
  });

  it('the delayer runs under timeout (hold + grace), tagged in its argv', () => {
    const words = delayerWords({ durationSeconds: 10, delayMs: 300, jitterMs: 20 });
    expect(words.slice(0, 6)).toEqual(['timeout', '-s', 'TERM', '25', 'python3', '-c']);
    expect(words.slice(7)).toEqual(['platform-chaos-net-delay', '4710', '300', '20']);
  });

  it('no script sent to the host carries a full tag, so the cleanup never matches itself', () => {
    for (const script of [CHECK_SCRIPT, LAUNCH_SCRIPT, CLEANUP_SCRIPT, DELAYER_SCRIPT]) {
      expect(script).not.toMatch(/platform-chaos-(net-|watchdog )/);
    }
  });
});

describe('parsing what the host prints', () => {
  const listing = [
    'Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)',
    '    pkts      bytes target     prot opt in     out     source               destination',
    '     120     7200            6    --  *      lo      0.0.0.0/0            0.0.0.0/0            owner UID match 101 tcp dpt:8080 /* platform-chaos-net-loss */',
    '      25     1500 DROP       6    --  *      lo      0.0.0.0/0            0.0.0.0/0            owner UID match 101 tcp dpt:8080 /* platform-chaos-net-loss */ statistic mode random probability 0.20000000019',
    '       3      180 DROP       0    --  *      *       0.0.0.0/0            169.254.169.254      ! owner UID match 0',
    '      22     1318 NFQUEUE    6    --  *      lo      0.0.0.0/0            0.0.0.0/0            owner UID match 101 tcp dpt:8080 /* platform-chaos-net-delay */ NFQUEUE num 4710 bypass',
  ].join('\n');

  it('counters of the kind only, the counting rule without a target', () => {
    expect(parseCounters(listing, 'net-loss')).toEqual([
      { target: null, packets: 120, bytes: 7200 },
      { target: 'DROP', packets: 25, bytes: 1500 },
    ]);
    expect(parseCounters(listing, 'net-delay')).toEqual([{ target: 'NFQUEUE', packets: 22, bytes: 1318 }]);
    expect(parseCounters(listing, 'net-blackhole')).toEqual([]);
    expect(lossFigures(parseCounters(listing, 'net-loss'))).toEqual({ seenPackets: 120, droppedPackets: 25, droppedPercent: 20.83 });
    expect(lossFigures([])).toEqual({ seenPackets: 0, droppedPackets: 0, droppedPercent: null });
  });

  it('refuses a line of the kind it cannot read', () => {
    expect(() => parseCounters('x y DROP /* platform-chaos-net-loss */', 'net-loss')).toThrow(/unexpected line/);
  });

  it('the cleanup report, the check and the delayer counters', () => {
    expect(
      parseCleanup(
        'removed OUTPUT -o lo -j DROP\nfailed OUTPUT -x\nstopped 12\nstopped 13\nkilled 13\noutput bound queue 4710\noutput {"queued": 3}\nnoise',
      ),
    ).toEqual({
      removedRules: ['OUTPUT -o lo -j DROP'],
      failedRules: ['OUTPUT -x'],
      stoppedProcesses: 2,
      killedProcesses: 1,
      output: ['bound queue 4710', '{"queued": 3}'],
    });
    expect(parseCheck('missing python3\nuid 1000\n')).toEqual({ missing: ['python3'], uid: 1000, noSudo: false });
    expect(parseCheck('nosudo\nuid 1000')).toEqual({ missing: [], uid: 1000, noSudo: true });
    expect(parseCheck('')).toBeNull();
    expect(
      parseDelayerCounters(['bound queue 4710', '{"queued": 8, "delayed": 6, "releasedAtExit": 2, "recvErrors": 0, "maxHeld": 4}']),
    ).toEqual({
      queued: 8,
      delayed: 6,
      releasedAtExit: 2,
      recvErrors: 0,
      maxHeld: 4,
    });
    expect(parseDelayerCounters(['error OSError: [Errno 1] Operation not permitted'])).toBeNull();
  });
});

/** A host that answers the scripts as a healthy one would, recording every command. */
function fakeHost(check: string): { host: HostAccess; sent: string[][] } {
  const sent: string[][] = [];
  let inserted = 0;
  const answer = (words: readonly string[]): HostCommandResult => {
    const w = words[0] === 'sudo' ? words.slice(2) : words;
    const ok = (stdout: string): HostCommandResult => ({ command: words.join(' '), code: 0, stdout, stderr: '' });
    if (w[2] === CHECK_SCRIPT) return ok(check);
    if (w[2] === CLEANUP_SCRIPT) {
      const removed = inserted;
      inserted = 0;
      return ok(removed > 0 ? 'removed OUTPUT -o lo ... -j DROP\n' : '');
    }
    if (w[2] === LAUNCH_SCRIPT) return ok('pid 4242\n');
    if (w[0] === 'iptables' && w[2] === '-I') {
      inserted += 1;
      return ok('');
    }
    if (w[0] === 'iptables' && w[2] === '-L')
      return ok(
        inserted > 0
          ? '      42     2520 DROP       6    --  *      lo      0.0.0.0/0   0.0.0.0/0   owner UID match 101 tcp dpt:8080 /* platform-chaos-net-blackhole */\n'
          : '',
      );
    return { command: words.join(' '), code: 1, stdout: '', stderr: 'unexpected' };
  };
  const host: HostAccess = {
    name: 'ssh',
    where: 'ec2-user@host:22',
    host: outputs.sshHost,
    withSession: (_o, _s, fn) =>
      fn({
        exec: (words) => {
          sent.push([...words]);
          return Promise.resolve(answer(words));
        },
      }),
    httpGet: () => Promise.reject(new Error('not used')),
  };
  return { host, sent };
}

function contextOn(host: HostAccess): DriverContext {
  return {
    outputs,
    signal: new AbortController().signal,
    clock: { now: () => Date.now(), sleep: () => Promise.resolve() },
    record: createFaultRecord(),
    serves: (port) => port === 'host',
    use: <P extends keyof Ports>(port: P) => {
      if (port !== 'host') throw new Error(`no ${port}`);
      return host as Ports[P];
    },
    log: { info: () => undefined, warn: () => undefined },
    guard: () => undefined,
  };
}

async function run(fault: Fault, args: unknown, host: HostAccess): Promise<JsonValue> {
  const b = fault.bind(args);
  if (!b.ok) throw new Error('invalid');
  return b.bound.run(contextOn(host));
}

describe('the commands a fault sends (host faked at HostCommands)', () => {
  it('blackhole as a sudoer: check, clean leftovers, watchdog, rule, hold, counters, undo, proof none left', async () => {
    const { host, sent } = fakeHost('uid 1000\n');
    const result = (await run(netBlackholePort, { durationSeconds: 1 }, host)) as Record<string, JsonValue>;
    const shape = sent.map((w) => {
      const sudo = w[0] === 'sudo';
      const c = sudo ? w.slice(2) : w;
      const what = String(c[0] === 'sh' ? c[3] : c[2]);
      return sudo ? ['sudo', String(c[0]), what] : [String(c[0]), what];
    });
    expect(shape).toEqual([
      ['sh', 'platform-chaos-check'],
      ['sudo', 'sh', 'platform-chaos-cleanup'],
      ['sudo', 'iptables', '-L'],
      ['sudo', 'sh', 'platform-chaos-launch'],
      ['sudo', 'iptables', '-I'],
      ['sudo', 'iptables', '-L'],
      ['sudo', 'sh', 'platform-chaos-cleanup'],
      ['sudo', 'iptables', '-L'],
    ]);
    // The watchdog: a cleanup of the kind after the hold plus the grace.
    expect(sent[3]!.slice(-3)).toEqual(['platform-chaos-watchdog', 'net-blackhole', '16']);
    expect(result).toMatchObject({
      droppedPackets: 42,
      undo: { rulesLeft: 0, removedRules: ['OUTPUT -o lo ... -j DROP'] },
      service: 'api',
    });
  });

  it('refuses with one line naming the missing tool and its package, before any rule', async () => {
    const { host, sent } = fakeHost('missing python3\nuid 0\n');
    await expect(run(netDelayPort, { durationSeconds: 1, delayMs: 100 }, host)).rejects.toThrow(
      /^net:delay-port refused: python3 missing on ec2-user@host:22; install with `dnf install -y python3`/,
    );
    expect(sent).toHaveLength(1);
  });

  it('refuses a user who is not root and cannot sudo', async () => {
    const { host, sent } = fakeHost('nosudo\nuid 1000\n');
    await expect(run(netDropPackets, { durationSeconds: 1, lossPercent: 5 }, host)).rejects.toThrow(/needs root .* cannot sudo -n/);
    expect(sent).toHaveLength(1);
  });

  it('describes the rules, the hold and the undo for --dry-run', () => {
    const b = netDelayPort.bind({ durationSeconds: 10, delayMs: 300 });
    if (!b.ok) throw new Error('invalid');
    const line = b.bound.describe(targetFor(outputs));
    expect(line).toContain("timeout -s TERM 25 python3 -c '<delayer.py>' platform-chaos-net-delay 4710 300 0");
    expect(line).toContain('-j NFQUEUE --queue-num 4710 --queue-bypass');
    expect(line).toMatch(/hold 10 s, .*delete every OUTPUT rule commented platform-chaos-net-delay and stop the helper/);
  });
});

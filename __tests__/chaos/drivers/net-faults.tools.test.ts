/**
 * The three network faults for real, in a network namespace of this test's own: the same host
 * commands the faults send over SSH or SSM (the iptables rules, the python3 delayer, the watchdog
 * and the cleanup scripts) run with `ip netns exec`, against an HTTP server on the API's port in
 * the namespace and curl run as the proxy's uid. Proves each effect (delay measured, drops counted,
 * packets delayed) on that uid only (root's requests untouched), and that nothing is left after:
 * no rule, no helper process, no file. Needs root (ip netns, iptables); a tool test.
 */
import { existsSync } from 'node:fs';
import { runCommand } from '../../../rehearsal/command';
import { netBlackholePort } from '../../../chaos/drivers/net/blackhole-port';
import { netDelayPort } from '../../../chaos/drivers/net/delay-port';
import { netDropPackets } from '../../../chaos/drivers/net/drop-packets';
import { cleanupWords, launchWords } from '../../../chaos/drivers/net/hold';
import { blackholeRules, helperOutputFile, insertWords, pathMatch } from '../../../chaos/drivers/net/path-rules';
import { createFaultRecord } from '../../../chaos/faults/fault-record';
import { systemClock } from '../../../chaos/engine/clock';
import type { HostAccess, Ports } from '../../../chaos/faults/ports';
import type { DriverContext, Fault } from '../../../chaos/faults/types';
import { SERVICES, userIds } from '../../../contract/services';
import type { JsonValue } from '../../../contract/json';
import { testOutputs } from './support/outputs';

const NS = `pc-net-${process.pid}`;
const outputs = testOutputs();
const PORT = outputs.services.api.port;
const PORT2 = SERVICES.api.copyPorts[1] ?? 8082;
/** The same outputs with the API's two copies, as the rehearsal emits them. */
const twoCopies = {
  ...outputs,
  services: {
    ...outputs.services,
    api: {
      ...outputs.services.api,
      copies: [
        { ...pick(outputs.services.api), port: PORT },
        {
          serviceName: `${outputs.services.api.serviceName}-2`,
          containerName: 'api-2',
          port: PORT2,
          taskFamily: `${outputs.services.api.taskFamily}-2`,
        },
      ],
    },
  },
};

function pick(s: { serviceName: string; containerName: string; taskFamily: string }) {
  return { serviceName: s.serviceName, containerName: s.containerName, taskFamily: s.taskFamily };
}
const PROXY = userIds(SERVICES.proxy.user);
const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/python3');
const describeAsRoot = canRun ? describe : describe.skip;

const inNs = (words: readonly string[], timeoutMs = 30_000) => runCommand('ip', ['netns', 'exec', NS, ...words], { timeoutMs });

/** The host port, served by `ip netns exec` instead of an SSH session: the same words, run for real. */
const netnsHost: HostAccess = {
  name: 'ssh',
  where: `netns ${NS}`,
  host: outputs.sshHost,
  withSession: async (_options, signal, fn) => {
    if (signal.aborted) throw signal.reason;
    return fn({
      exec: async (words) => {
        const r = await inNs(words);
        return { command: words.join(' ').slice(0, 300), code: r.code, stdout: r.stdout, stderr: r.stderr };
      },
    });
  },
  httpGet: () => Promise.reject(new Error('not used')),
};

function contextWith(signal: AbortSignal, withOutputs = outputs): DriverContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    outputs: withOutputs,
    signal,
    clock: systemClock,
    record: createFaultRecord(),
    serves: (port) => port === 'host',
    use: <P extends keyof Ports>(port: P) => {
      if (port !== 'host') throw new Error(`no ${port} here`);
      return netnsHost as Ports[P];
    },
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`) },
    guard: () => undefined,
    logs,
  };
}

function bound(fault: Fault, args: unknown) {
  const b = fault.bind(args);
  if (!b.ok) throw new Error(JSON.stringify(b.issues));
  return b.bound;
}

/** Seconds per request of `count` GETs on one kept-alive connection, as `uid` (the first one connects). */
async function curlTimes(
  count: number,
  asProxy: boolean,
  maxTime = 5,
  port = PORT,
): Promise<{ times: number[]; codes: string[]; exit: number | null }> {
  const url = `http://127.0.0.1:${port}/api/status`;
  const curl = [
    'curl',
    '-s',
    '--max-time',
    String(maxTime),
    ...Array.from({ length: count }, () => ['-o', '/dev/null', url]).flat(),
    '-w',
    '%{http_code} %{time_total}\\n',
  ];
  const words = asProxy ? ['setpriv', `--reuid=${PROXY.uid}`, `--regid=${PROXY.gid}`, '--clear-groups', ...curl] : curl;
  const r = await inNs(words);
  const lines = r.stdout
    .trim()
    .split('\n')
    .filter((l) => l !== '');
  return { times: lines.map((l) => Number(l.split(' ')[1])), codes: lines.map((l) => l.split(' ')[0] ?? ''), exit: r.code };
}

async function leftBehind(): Promise<{ rules: string[]; processes: string; files: boolean }> {
  const rules = (await inNs(['iptables', '-w', '-S', 'OUTPUT'])).stdout.split('\n').filter((l) => l.includes('platform-chaos'));
  const processes = (await runCommand('pgrep', ['-af', '[p]latform-chaos-(net|watchdog)'])).stdout.trim();
  const files = ['net-delay', 'net-loss', 'net-blackhole'].some((k) => existsSync(helperOutputFile(k as 'net-delay')));
  return { rules, processes, files };
}

const obj = (v: JsonValue): Record<string, JsonValue> => v as Record<string, JsonValue>;

describeAsRoot('net faults in a network namespace (real iptables, NFQUEUE delayer, proxy uid only)', () => {
  let server: ReturnType<typeof import('node:child_process').spawn> | null = null;

  beforeAll(async () => {
    await runCommand('ip', ['netns', 'add', NS]);
    await inNs(['ip', 'link', 'set', 'lo', 'up']);
    const { spawn } = await import('node:child_process');
    // Node's HTTP server sets TCP_NODELAY, as the Go API does: each answer leaves at once.
    server = spawn('ip', [
      'netns',
      'exec',
      NS,
      process.execPath,
      '-e',
      // The API's copy 1 on its port, copy 2 on the next copy port.
      `for (const p of [${PORT}, ${PORT2}]) require('http').createServer((q, s) => s.end('{"service":"api"}')).listen(p, '127.0.0.1')`,
    ]);
    for (let i = 0; i < 50; i += 1) {
      if ((await curlTimes(1, false, 1)).codes[0] === '200') break;
      await systemClock.sleep(100);
    }
  }, 30_000);

  afterAll(async () => {
    server?.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    await runCommand('ip', ['netns', 'delete', NS]);
  });

  afterEach(async () => {
    expect(await leftBehind()).toEqual({ rules: [], processes: '', files: false });
  });

  test('net:delay-port: kept-alive requests of the proxy uid slower by about delayMs, root untouched; counters; nothing left', async () => {
    const before = await curlTimes(4, true);
    const running = bound(netDelayPort, { durationSeconds: 4, delayMs: 300 }).run(contextWith(new AbortController().signal));
    await systemClock.sleep(1500);
    const during = await curlTimes(4, true);
    const rootDuring = await curlTimes(4, false);
    const result = obj(await running);
    const after = await curlTimes(4, true);
    console.log(
      `delay 300 ms: proxy uid before ${before.times.join('/')} s, during ${during.times.join('/')} s (first one connects), root during ${rootDuring.times.join('/')} s, after ${after.times.join('/')} s; delayed ${String(result.delayedPackets)} packets, queued ${String(result.queuedPackets)}`,
    );
    expect(during.codes).toEqual(['200', '200', '200', '200']);
    // Kept alive: one packet (the request) per round trip is held once.
    for (const t of during.times.slice(1)) {
      expect(t).toBeGreaterThanOrEqual(0.28);
      expect(t).toBeLessThan(0.5);
    }
    // A new connection: the SYN and the request are each held.
    expect(during.times[0]).toBeGreaterThanOrEqual(0.56);
    for (const t of [...before.times, ...rootDuring.times, ...after.times]) expect(t).toBeLessThan(0.1);
    expect(result.delayedPackets).toBeGreaterThan(0);
    expect(result.queuedPackets).toBeGreaterThanOrEqual(Number(result.delayedPackets));
    expect(obj(result.undo)).toMatchObject({ rulesLeft: 0, failedRules: [] });
    expect((obj(result.undo).removedRules as string[]).length).toBe(1);
    expect(result.helper).toMatch(/^bound queue 4710 delay 300 ms/);
  }, 30_000);

  test('net:drop-packets: drops counted among the packets seen, about lossPercent; nothing left', async () => {
    const running = bound(netDropPackets, { durationSeconds: 4, lossPercent: 50 }).run(contextWith(new AbortController().signal));
    await systemClock.sleep(500);
    // Fifteen separate tries of 0.2 s, each a new connection (a SYN at least): enough packets that
    // a 50 % loss cannot drop them all but by a 1-in-30,000 chance (one try of 10 requests saw 4, all dropped).
    const during = { codes: [] as string[], times: [] as number[], exit: null as number | null };
    for (let i = 0; i < 15; i += 1) {
      const one = await curlTimes(1, true, 0.2);
      during.codes.push(...one.codes);
      during.times.push(...one.times);
      during.exit = one.exit;
    }
    const result = obj(await running);
    console.log(
      `loss 50 %: ${during.codes.filter((c) => c === '200').length} of 15 tries answered 200 (last curl exit ${String(during.exit)}), times ${during.times.join('/')} s; seen ${String(result.seenPackets)}, dropped ${String(result.droppedPackets)} (${String(result.droppedPercent)} %)`,
    );
    expect(result.seenPackets).toBeGreaterThan(0);
    expect(result.droppedPackets).toBeGreaterThan(0);
    expect(Number(result.droppedPackets)).toBeLessThan(Number(result.seenPackets));
    expect((obj(result.undo).removedRules as string[]).length).toBe(2);
  }, 30_000);

  test('net:blackhole-port over two copies: both ports dropped by default (one multiport rule), copy 2 alone when asked', async () => {
    const all = bound(netBlackholePort, { durationSeconds: 2 }).run(contextWith(new AbortController().signal, twoCopies));
    await systemClock.sleep(500);
    const both = [await curlTimes(1, true, 1, PORT), await curlTimes(1, true, 1, PORT2)];
    const allResult = obj(await all);
    const one = bound(netBlackholePort, { durationSeconds: 2, copy: 2 }).run(contextWith(new AbortController().signal, twoCopies));
    await systemClock.sleep(500);
    const copy1 = await curlTimes(1, true, 1, PORT);
    const copy2 = await curlTimes(1, true, 1, PORT2);
    const oneResult = obj(await one);
    console.log(
      `two copies: every copy -> exits ${both.map((b) => String(b.exit)).join('/')}; copy 2 only -> copy 1 ${copy1.codes.join()}, copy 2 exit ${String(copy2.exit)}`,
    );
    expect(both.map((b) => b.exit)).toEqual([28, 28]);
    expect(obj(allResult.path)).toMatchObject({ toPorts: [PORT, PORT2], toCopy: null });
    expect(copy1.codes).toEqual(['200']);
    expect(copy2.exit).toBe(28);
    expect(obj(oneResult.path)).toMatchObject({ toPorts: [PORT2], toCopy: 2 });
  }, 30_000);

  test('net:blackhole-port: the proxy uid gets nothing through, root does; drop counter; nothing left', async () => {
    const running = bound(netBlackholePort, { durationSeconds: 3 }).run(contextWith(new AbortController().signal));
    await systemClock.sleep(500);
    const during = await curlTimes(1, true, 1);
    const rootDuring = await curlTimes(1, false, 1);
    const result = obj(await running);
    const after = await curlTimes(1, true, 1);
    console.log(
      `blackhole: proxy uid curl exit ${String(during.exit)} (${during.codes.join()}), root ${rootDuring.codes.join()}, after ${after.codes.join()}; dropped ${String(result.droppedPackets)}`,
    );
    expect(during.exit).toBe(28);
    expect(rootDuring.codes).toEqual(['200']);
    expect(after.codes).toEqual(['200']);
    expect(result.droppedPackets).toBeGreaterThan(0);
  }, 30_000);

  test('an abort ends the hold at once and still undoes it (rule and delayer gone)', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const running = bound(netDelayPort, { durationSeconds: 60, delayMs: 100 }).run(contextWith(controller.signal));
    await systemClock.sleep(1500);
    expect((await inNs(['iptables', '-w', '-S', 'OUTPUT'])).stdout).toContain('--comment platform-chaos-net-delay');
    controller.abort(new Error('interrupted by the test'));
    await expect(running).rejects.toThrow(/interrupted by the test/);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);

  test('rollback is idempotent: removes a killed run\u2019s rule and tagged helper, then finds nothing', async () => {
    const rule = ['-o', 'lo', '-p', 'tcp', '-m', 'owner', '--uid-owner', String(PROXY.uid), '-m', 'tcp', '--dport', String(PORT)];
    await inNs([
      'iptables',
      '-w',
      '-I',
      'OUTPUT',
      '1',
      ...rule,
      '-m',
      'comment',
      '--comment',
      'platform-chaos-net-delay',
      '-j',
      'NFQUEUE',
      '--queue-num',
      '4710',
      '--queue-bypass',
    ]);
    // An unrelated rule of another kind stays.
    await inNs(['iptables', '-w', '-I', 'OUTPUT', '1', ...rule, '-m', 'comment', '--comment', 'platform-chaos-net-loss']);
    await inNs(['sh', '-c', 'setsid sh -c "sleep 30" platform-chaos-net-delay 4710 >/dev/null 2>&1 < /dev/null &']);
    const rollback = bound(netDelayPort, { durationSeconds: 5, delayMs: 100 }).rollback!;
    const first = obj(await rollback(contextWith(new AbortController().signal), null));
    const second = obj(await rollback(contextWith(new AbortController().signal), null));
    expect((first.removedRules as string[]).length).toBe(1);
    expect(first.stoppedProcesses).toBe(1);
    expect(second).toMatchObject({ removedRules: [], stoppedProcesses: 0, rulesLeft: 0 });
    expect((await inNs(['iptables', '-w', '-S', 'OUTPUT'])).stdout).toContain('--comment platform-chaos-net-loss');
    const loss = obj(
      await bound(netDropPackets, { durationSeconds: 5, lossPercent: 5 }).rollback!(contextWith(new AbortController().signal), null),
    );
    expect((loss.removedRules as string[]).length).toBe(1);
  }, 30_000);

  test('the host-side watchdog removes the rules by itself when no undo comes (a run killed mid-fault)', async () => {
    for (const rule of blackholeRules(pathMatch(outputs, 'api'))) await inNs(insertWords(rule));
    await inNs(launchWords('/dev/null', cleanupWords('net-blackhole', 2, 'platform-chaos-watchdog')));
    expect((await runCommand('pgrep', ['-f', '[p]latform-chaos-watchdog net-blackhole 2'])).stdout.trim()).not.toBe('');
    expect((await curlTimes(1, true, 1)).exit).toBe(28);
    await systemClock.sleep(2500);
    expect((await curlTimes(1, true, 1)).codes).toEqual(['200']);
  }, 30_000);
});

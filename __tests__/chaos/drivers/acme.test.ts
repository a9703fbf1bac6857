/**
 * The acme driver: the rules it would insert, how it reads the host's listings and the proxy's
 * log, and a run against a fake host at the HostCommands boundary that keeps an OUTPUT chain (so
 * the counters, the removal and the rollback are judged on state, not on a script of answers).
 */
import { acmeBlockDirectory } from '../../../chaos/drivers/acme/block-directory';
import { egressRules, ourRules } from '../../../chaos/drivers/acme/egress-rules';
import { acmeForceRenewal } from '../../../chaos/drivers/acme/force-renewal';
import { parseProxyAcme, parseRenewalLog, servedSerial, DEFAULT_ACME_DIRECTORY } from '../../../chaos/drivers/acme/proxy-acme';
import { acmeRenewalStatus, renewalSince } from '../../../chaos/drivers/acme/renewal-status';
import { commandLine } from '../../../chaos/faults/command-words';
import type { HostAccess, HostCommandResult, HostCommands } from '../../../chaos/faults/ports';
import { withHost } from '../helpers/recording-host';
import { contextFor, rollbackFault, runFault } from './support/context';
import { testOutputs } from './support/outputs';

const CONTAINER = 'bc6b942c569c';
const PEBBLE = 'https://127.0.0.1:14000/dir';

describe('acme fault arguments', () => {
  it.each<[string, unknown, boolean]>([
    ['the defaults', {}, true],
    ['a duration and drop', { durationSeconds: 5, mode: 'drop' }, true],
    ['no duration', { durationSeconds: 0 }, false],
    ['an hour', { durationSeconds: 3600 }, false],
    ['another mode', { mode: 'tarpit' }, false],
    ['a port (the directory comes from the proxy, not the experiment)', { port: 443 }, false],
  ])('acme:block-directory with %s', (_name, args, valid) => {
    expect(acmeBlockDirectory.bind(args).ok).toBe(valid);
  });

  it.each<[string, unknown, boolean]>([
    ['the defaults', {}, true],
    ['no wait', { confirmSeconds: 0 }, true],
    ['a negative wait', { confirmSeconds: -1 }, false],
    ['a signal', { signal: 'SIGHUP' }, false],
  ])('acme:force-renewal with %s', (_name, args, valid) => {
    expect(acmeForceRenewal.bind(args).ok).toBe(valid);
  });
});

describe('egress rules for the proxy uid', () => {
  it.each<[string, string, string[]]>([
    ['Pebble on 127.0.0.1', PEBBLE, ['iptables -p tcp -m owner --uid-owner 101 -d 127.0.0.1/32 --dport 14000']],
    [
      'localhost: both loopbacks',
      'https://localhost:14000/dir',
      [
        'iptables -p tcp -m owner --uid-owner 101 -d 127.0.0.1/32 --dport 14000',
        'ip6tables -p tcp -m owner --uid-owner 101 -d ::1/128 --dport 14000',
      ],
    ],
    ['[::1]', 'https://[::1]:14000/dir', ['ip6tables -p tcp -m owner --uid-owner 101 -d ::1/128 --dport 14000']],
    [
      "Let's Encrypt: port 443 anywhere but loopback",
      DEFAULT_ACME_DIRECTORY,
      [
        'iptables -p tcp -m owner --uid-owner 101 ! -d 127.0.0.0/8 --dport 443',
        'ip6tables -p tcp -m owner --uid-owner 101 ! -d ::1/128 --dport 443',
      ],
    ],
  ])('%s', (_name, url, expected) => {
    const rules = egressRules(url, 101, 'reject');
    expect(rules.map((r) => `${r.family} ${r.spec.slice(0, r.spec.indexOf('-m', 4)).join(' ')}`)).toEqual(expected);
    for (const r of rules) expect(r.spec.join(' ')).toMatch(/-m comment --comment platform-chaos -j REJECT --reject-with tcp-reset$/);
  });

  it('drop mode drops', () => {
    expect(egressRules(PEBBLE, 101, 'drop')[0]?.spec.slice(-2)).toEqual(['-j', 'DROP']);
  });

  it('refuses root and a directory that is not a URL', () => {
    expect(() => egressRules(PEBBLE, 0, 'reject')).toThrow(/uid/);
    expect(() => egressRules('not a url', 101, 'reject')).toThrow(/not a URL/);
  });

  const LISTING = [
    '-P OUTPUT ACCEPT -c 10 900',
    '-A OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner 0 -c 0 0 -j DROP',
    '-A OUTPUT -d 127.0.0.1/32 -p tcp -m owner --uid-owner 101 -m tcp --dport 14000 -m comment --comment platform-chaos -c 3 180 -j REJECT --reject-with tcp-reset',
    // Another fault's tagged rule (the API port): not ours to remove.
    '-A OUTPUT -p tcp -m tcp --dport 8080 -m comment --comment platform-chaos -c 7 420 -j DROP',
  ].join('\n');

  it('finds our rules with their counters, and only ours', () => {
    const rules = ourRules('iptables', LISTING, 101);
    expect(rules).toEqual([
      {
        family: 'iptables',
        rule: '-A OUTPUT -d 127.0.0.1/32 -p tcp -m owner --uid-owner 101 -m tcp --dport 14000 -m comment --comment platform-chaos -j REJECT --reject-with tcp-reset',
        deleteWords: [
          '-D',
          'OUTPUT',
          '-d',
          '127.0.0.1/32',
          '-p',
          'tcp',
          '-m',
          'owner',
          '--uid-owner',
          '101',
          '-m',
          'tcp',
          '--dport',
          '14000',
          '-m',
          'comment',
          '--comment',
          'platform-chaos',
          '-j',
          'REJECT',
          '--reject-with',
          'tcp-reset',
        ],
        packets: 3,
        bytes: 180,
      },
    ]);
  });

  it('refuses to send back a word it does not expect', () => {
    expect(() => ourRules('iptables', '-A OUTPUT -m owner --uid-owner 101 -m comment --comment platform-chaos -j $(reboot)', 101)).toThrow(
      /refused/,
    );
  });
});

const LOG = [
  '2026-12-01T10:00:00.100000000Z 2026-12-01T10:00:00Z proxy: reusing the certificate on the volume for proxy.pebble.test, no ACME order: serial=AAAA notAfter=x issuer=y',
  '2026-12-01T10:00:00.200000000Z 2026-12-01T10:00:00Z proxy: nginx started (pid 7, mode tls, http :80, https :443)',
  '2026-12-01T10:00:03.000000000Z 2026-12-01T10:00:03Z proxy: forced renewal of the certificate for proxy.pebble.test',
  '2026-12-01T10:00:03.100000000Z 2026-12-01T10:00:03Z proxy: ACME failed (lego exit 1): still serving the current certificate',
  '2026-12-01T10:00:03.200000000Z 2026-12-01T10:00:03Z proxy: ACME round failed (1 in a row): retrying in 2s',
  '2026-12-01T10:00:05.200000000Z 2026-12-01T10:00:05Z proxy: forced renewal of the certificate for proxy.pebble.test',
  '2026-12-01T10:00:05.300000000Z 2026-12-01T10:00:05Z proxy: ACME round failed (2 in a row): retrying in 4s',
  '2026-12-01T10:00:09.300000000Z 2026-12-01T10:00:09Z proxy: forced renewal of the certificate for proxy.pebble.test',
];
const RENEWED = [
  '2026-12-01T10:00:09.900000000Z 2026-12-01T10:00:09Z proxy: new certificate for proxy.pebble.test: serial=BBBB notAfter=x issuer=y',
  '2026-12-01T10:00:10.000000000Z 2026-12-01T10:00:10Z proxy: ACME succeeded after 2 failed round(s)',
];

describe("the proxy's log", () => {
  it('reads DOMAIN and ACME_DIRECTORY, defaulting the directory as the entry point does', () => {
    expect(parseProxyAcme(`PATH=/bin\nDOMAIN=proxy.pebble.test\nACME_DIRECTORY=${PEBBLE}\n`)).toEqual({
      domain: 'proxy.pebble.test',
      directory: PEBBLE,
    });
    expect(parseProxyAcme('DOMAIN=\n')).toEqual({ domain: '', directory: DEFAULT_ACME_DIRECTORY });
  });

  it('a renewal waiting for the CA: the rounds since the force that began it, not settled', () => {
    const status = renewalSince(parseRenewalLog(LOG.join('\n')));
    expect(status).toMatchObject({
      forcedAt: '2026-12-01T10:00:03.000000000Z',
      failedRounds: 2,
      retryDelaysSeconds: [2, 4],
      renewedAt: null,
      serialBefore: 'AAAA',
      serial: 'AAAA',
      settled: false,
    });
  });

  it('renewed after the failures: settled, the new serial', () => {
    const status = renewalSince(parseRenewalLog([...LOG, ...RENEWED].join('\n')));
    expect(status).toMatchObject({
      failedRounds: 2,
      renewedAt: '2026-12-01T10:00:09.900000000Z',
      serialBefore: 'AAAA',
      serial: 'BBBB',
      settled: true,
    });
  });

  it('nothing forced: settled; the streams are put back in time order', () => {
    const events = parseRenewalLog([RENEWED[0], LOG[0], 'not a log line'].join('\n'));
    expect(events.map((e) => e.kind)).toEqual(['reused', 'renewed']);
    expect(servedSerial(events)).toBe('BBBB');
    expect(renewalSince(events).settled).toBe(true);
  });
});

/**
 * A host at the HostCommands boundary with one proxy container and an OUTPUT chain: iptables -I,
 * -D and -v -S act on the chain; a packet counter stands for lego's attempts.
 */
function fakeHost(options: { domain?: string; log?: string[]; missing?: string[] } = {}) {
  const chain: { spec: string[]; packets: number }[] = [];
  const commands: string[][] = [];
  const log = [...(options.log ?? LOG)];
  let removers = 0;
  const answer = (words: readonly string[]): { code: number; stdout: string } => {
    const [tool, ...rest] = words;
    if (tool === 'docker' && rest[0] === 'ps') return { code: 0, stdout: `${CONTAINER} platform-local_proxy.1.x\n` };
    if (tool === 'docker' && rest[0] === 'inspect')
      return { code: 0, stdout: `DOMAIN=${options.domain ?? 'proxy.pebble.test'}\nACME_DIRECTORY=${PEBBLE}\n` };
    if (tool === 'docker' && rest[0] === 'kill') {
      log.push('2026-12-01T10:01:00.000000000Z 2026-12-01T10:01:00Z proxy: forced renewal of the certificate for proxy.pebble.test');
      return { code: 0, stdout: '' };
    }
    // The rollback's `command -v ip6tables` (no tool arguments): this host has none.
    if (tool === 'sh' && rest[2] === 'platform-chaos-tools' && rest.length === 3) return { code: 1, stdout: '' };
    if (tool === 'sh' && rest[2] === 'platform-chaos-tools') return { code: 0, stdout: (options.missing ?? []).join('\n') };
    if (tool === 'sh' && rest[2] === 'platform-chaos-proxy-log') return { code: 0, stdout: log.join('\n') };
    if (tool === 'sh' && rest[2] === 'platform-chaos-acme-arm') {
      removers += 1;
      return { code: 0, stdout: '' };
    }
    if (tool === 'sh' && rest[2] === 'platform-chaos-acme-cleanup') {
      const n = removers;
      removers = 0;
      return { code: 0, stdout: `${n}\n` };
    }
    if (tool === 'iptables' && rest[1] === '-I') {
      chain.push({ spec: rest.slice(4), packets: 0 });
      return { code: 0, stdout: '' };
    }
    if (tool === 'iptables' && rest[1] === '-D') {
      // -S lists the rule with -m tcp; -D of that form removes it.
      const at = chain.findIndex((r) => listed(r.spec) === rest.slice(3).join(' '));
      if (at < 0) return { code: 1, stdout: '' };
      chain.splice(at, 1);
      return { code: 0, stdout: '' };
    }
    if (tool === 'iptables' && rest.includes('-S'))
      return { code: 0, stdout: ['-P OUTPUT ACCEPT -c 0 0', ...chain.map((r) => `-A OUTPUT ${listed(r.spec, r.packets)}`)].join('\n') };
    return { code: 127, stdout: '' };
  };
  // As iptables -S prints a rule: destination first, -m tcp before --dport, counters before -j.
  const listed = (spec: readonly string[], packets?: number): string => {
    const s = spec.join(' ');
    const dest = /(-d \S+)/.exec(s)?.[1] ?? '';
    const port = /--dport (\d+)/.exec(s)?.[1] ?? '';
    const target = s.slice(s.indexOf('-j '));
    return `${dest} -p tcp -m owner --uid-owner 101 -m tcp --dport ${port} -m comment --comment platform-chaos${packets === undefined ? '' : ` -c ${packets} ${packets * 60}`} ${target}`;
  };
  const session: HostCommands = {
    async exec(words): Promise<HostCommandResult> {
      commands.push([...words]);
      const { code, stdout } = answer(words);
      return { command: commandLine(words), code, stdout, stderr: '' };
    },
  };
  const host: HostAccess = {
    name: 'ssh',
    where: 'root@127.0.0.1:2222',
    host: '127.0.0.1',
    withSession: (_o, _s, fn) => fn(session),
    httpGet: () => Promise.reject(new Error('no HTTP here')),
  };
  return { host, chain, commands, log, attempt: () => chain.forEach((r) => (r.packets += 1)) };
}

describe('acme:block-directory against a fake host', () => {
  it('inserts the rule (the remover armed first), holds, removes it with its counters, ends the remover', async () => {
    const fake = fakeHost();
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    const fastCtx = { ...ctx, clock: { now: () => Date.now(), sleep: async () => fake.attempt() } };
    const result = await runFault(acmeBlockDirectory, { durationSeconds: 3 }, fastCtx);
    expect(result).toMatchObject({
      directory: PEBBLE,
      uid: 101,
      mode: 'reject',
      blockedPackets: 1,
      removersEnded: 1,
      left: 0,
      rules: [expect.stringMatching(/^-A OUTPUT -d 127\.0\.0\.1\/32 .*--uid-owner 101 .*--dport 14000 .*platform-chaos -j REJECT/)],
    });
    expect(fake.chain).toEqual([]);
    const order = fake.commands.map((w) => (w[0] === 'sh' ? w[3] : `${w[0]} ${w[2] ?? ''}`));
    expect(order.indexOf('platform-chaos-acme-arm')).toBeLessThan(order.indexOf('iptables -I'));
    // The remover outlives the hold by the margin: it only fires when the run died.
    expect(fake.commands.find((w) => w[3] === 'platform-chaos-acme-arm')?.slice(5, 7)).toEqual(['23', '18']);
  });

  it('refuses a proxy without DOMAIN before touching anything', async () => {
    const fake = fakeHost({ domain: '' });
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    await expect(runFault(acmeBlockDirectory, {}, ctx)).rejects.toThrow(/has no DOMAIN/);
    expect(fake.commands.some((w) => w[0] === 'iptables')).toBe(false);
  });

  it('refuses with one line naming a missing tool', async () => {
    const fake = fakeHost({ missing: ['iptables'] });
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    await expect(runFault(acmeBlockDirectory, {}, ctx)).rejects.toThrow(
      /^iptables is missing on root@127\.0\.0\.1:2222: install it \(dnf install -y iptables-nft/,
    );
    expect(fake.chain).toEqual([]);
  });

  it('interrupted mid-hold: the rule is removed at once, and the interruption passed on', async () => {
    const fake = fakeHost();
    const abort = new AbortController();
    const ctx = withHost(contextFor(testOutputs(), {}, abort.signal), fake.host);
    const sleepy = {
      ...ctx,
      clock: {
        now: () => Date.now(),
        sleep: () => {
          abort.abort(new Error('interrupted by SIGINT'));
          return Promise.reject(new Error('interrupted by SIGINT'));
        },
      },
    };
    await expect(runFault(acmeBlockDirectory, { durationSeconds: 60 }, sleepy)).rejects.toThrow(/SIGINT/);
    expect(fake.chain).toEqual([]);
  });

  it('the rollback removes what a killed run left, and is idempotent', async () => {
    const fake = fakeHost();
    fake.chain.push({ spec: egressRules(PEBBLE, 101, 'reject')[0]?.spec.slice() ?? [], packets: 5 });
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    expect(await rollbackFault(acmeBlockDirectory, {}, ctx, null)).toMatchObject({ removed: [{ packets: 5 }] });
    expect(fake.chain).toEqual([]);
    expect(await rollbackFault(acmeBlockDirectory, {}, ctx, null)).toMatchObject({ removed: [] });
  });
});

describe('acme:force-renewal and acme:renewal-status against a fake host', () => {
  it('SIGUSR1 to the proxy container, confirmed by a new "forced renewal" line; the serial served before', async () => {
    const fake = fakeHost({ log: [LOG[0] ?? ''] });
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    const result = await runFault(acmeForceRenewal, {}, ctx);
    expect(fake.commands).toContainEqual(['docker', 'kill', '--signal', 'SIGUSR1', CONTAINER]);
    expect(result).toMatchObject({ container: CONTAINER, signal: 'SIGUSR1', serialBefore: 'AAAA', confirmedAfterMs: expect.any(Number) });
    expect(ctx.record.lastFault('proxy')).toBeUndefined();
  });

  it('the probe: not settled while the rounds fail, settled with the new serial once renewed', async () => {
    const fake = fakeHost();
    const ctx = withHost(contextFor(testOutputs()), fake.host);
    expect(await runFault(acmeRenewalStatus, {}, ctx)).toMatchObject({ acme: true, settled: false, failedRounds: 2 });
    fake.log.push(...RENEWED);
    expect(await runFault(acmeRenewalStatus, {}, ctx)).toMatchObject({ settled: true, serial: 'BBBB', retryDelaysSeconds: [2, 4] });
  });

  it('the probe: a proxy without DOMAIN is not settled (the experiment needs ACME mode)', async () => {
    const ctx = withHost(contextFor(testOutputs()), fakeHost({ domain: '' }).host);
    expect(await runFault(acmeRenewalStatus, {}, ctx)).toMatchObject({ acme: false, settled: false });
  });
});

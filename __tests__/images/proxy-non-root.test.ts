/**
 * docker/proxy as its image runs it on ECS: the entry script, lego and nginx as the proxy's user
 * (uid:gid 101:101, contract/services.ts), nginx bound to 0.0.0.0:80 and 0.0.0.0:443 through the
 * file capability the Dockerfile gives its binary (`setcap cap_net_bind_service=+ep`), with the
 * bounding set the task definition leaves (everything dropped but NET_BIND_SERVICE). Debian's
 * nginx, copied and given that capability here, in a network namespace of the test's own (only
 * loopback), so ports 80 and 443 never meet the host's: the rehearsal's proxy holds 127.0.0.1:80.
 *
 * Needs root (a network namespace, setcap) and iproute2, util-linux's setpriv and libcap2-bin.
 */
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../../rehearsal/command';
import { SERVICES, userIds } from '../../contract/services';
import { buildGoBinary } from './support/go-build';
import { NetworkNamespace, type RunAs } from './support/netns';
import { PROXY_DIR, proxyEnv } from './support/proxy-entrypoint';
import { group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { waitForOutput } from './support/proxy-wait';
import { requireTool } from './support/require-tool';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
const ip = requireTool('ip', 'iproute2');
const ss = requireTool('ss', 'iproute2');
const setcap = requireTool('setcap', 'libcap2-bin');
const setpriv = requireTool('setpriv', 'util-linux');
const isRoot = process.getuid?.() === 0;
if (!isRoot && process.env.CI === 'true') {
  test('the image tests run as root (the proxy test makes a network namespace)', () => {
    throw new Error('run the image tests as root');
  });
} else if (!isRoot) {
  console.warn('\n!!!!!!!!\n!!! SKIPPING the non-root proxy test: it needs root for its network namespace and setcap\n!!!!!!!!\n');
}
const runnable = isRoot && [ip, ss, setcap, setpriv].every((tool) => tool !== undefined);
const describeNonRoot = runnable ? describeWithTools : describe.skip;
useProxyWorkDir();

const PROXY_USER = userIds(SERVICES.proxy.user);
/** CAP_NET_BIND_SERVICE is capability 10: bit 10 of the /proc/<pid>/status masks. */
const NET_BIND_SERVICE = 1n << 10n;
/** As uid 101, with the bounding set `cap_drop: ALL, cap_add: NET_BIND_SERVICE` leaves. */
const AS_PROXY: RunAs = { ...PROXY_USER, boundingSet: '-all,+net_bind_service' };
const DOMAIN = 'proxy.test';

/** One listening TCP socket, as `ss -ltnpe` shows it. */
interface Listener {
  readonly local: string;
  readonly pids: readonly number[];
  /** The socket's owner (ss prints `uid:` only when it is not 0). */
  readonly uid: number;
}

function parseListeners(out: string): Listener[] {
  return out
    .split('\n')
    .filter((line) => line.startsWith('LISTEN'))
    .map((line) => ({
      local: line.split(/\s+/)[3] ?? '',
      pids: [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1])),
      uid: Number(/ uid:(\d+)/.exec(line)?.[1] ?? 0),
    }));
}

/** The fields of /proc/<pid>/status that say who a process is and what it may do. */
function processStatus(pid: number): { uids: number[]; gids: number[]; groups: string; capEff: bigint; capPrm: bigint; capBnd: bigint } {
  const fields = Object.fromEntries(
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
  );
  const ids = (value: string | undefined) => (value ?? '').split(/\s+/).map(Number);
  const mask = (value: string | undefined) => BigInt(`0x${value ?? '0'}`);
  return {
    uids: ids(fields.Uid),
    gids: ids(fields.Gid),
    groups: fields.Groups ?? '',
    capEff: mask(fields.CapEff),
    capPrm: mask(fields.CapPrm),
    capBnd: mask(fields.CapBnd),
  };
}

describeNonRoot(`proxy as uid ${PROXY_USER.uid} on ports 80 and 443, in a network namespace of its own`, () => {
  let ns: NetworkNamespace | undefined;
  let lib = '';
  let cappedNginx = '';
  let plainNginx = '';
  let healthcheck = '';
  let proxy: ServiceProcess | undefined;
  let runDir = '';
  const namespace = (): NetworkNamespace => {
    if (ns === undefined) throw new Error('the network namespace was not created (see beforeAll)');
    return ns;
  };

  /** The proxy's environment as on ECS (DOMAIN set, 0.0.0.0, 80 and 443), its volume and run dir owned by its user. */
  function proxySetup(name: string, nginxBin: string, domain: string | undefined): NodeJS.ProcessEnv {
    const dir = path.join(workDir, name);
    mkdirSync(dir, { mode: 0o755 });
    const env = proxyEnv({
      dir,
      nginx: nginxBin,
      lego: tools.lego,
      httpPort: 80,
      httpsPort: 443,
      apiUpstream: '127.0.0.1:8080',
      frontendUpstream: '127.0.0.1:8081',
      domain,
      // Inside the namespace nothing answers there, nor could anything outside: lego fails at once.
      acmeDirectory: 'https://127.0.0.1:14000/dir',
    });
    // As the image makes them: /etc/acme 700 and /run/proxy 755, both the proxy user's.
    mkdirSync(String(env.PROXY_RUN_DIR));
    chownSync(String(env.ACME_PATH), PROXY_USER.uid, PROXY_USER.gid);
    chmodSync(String(env.ACME_PATH), 0o700);
    chownSync(String(env.PROXY_RUN_DIR), PROXY_USER.uid, PROXY_USER.gid);
    return { ...env, LISTEN_ADDRESS: '0.0.0.0', PROXY_TEMPLATE_DIR: path.join(lib, 'templates'), HOME: '/nonexistent' };
  }

  function startAsProxy(name: string, env: NodeJS.ProcessEnv, user: RunAs = AS_PROXY): ServiceProcess {
    const [command, args] = namespace().argv('sh', [path.join(lib, 'entrypoint.sh')], user);
    return group.start(name, command, args, { env, logOwner: PROXY_USER });
  }

  beforeAll(async () => {
    ns = await NetworkNamespace.create(String(ip), `proxy-nonroot-${process.pid}`);
    // The scripts and templates where the proxy's user can read them whatever the checkout's modes.
    lib = path.join(workDir, 'lib');
    cpSync(PROXY_DIR, lib, { recursive: true, filter: (src) => !src.endsWith('Dockerfile') });
    chmodSync(lib, 0o755);
    chmodSync(path.join(lib, 'templates'), 0o755);
    const bin = path.join(workDir, 'bin');
    mkdirSync(bin, { mode: 0o755 });
    cappedNginx = path.join(bin, 'nginx');
    plainNginx = path.join(bin, 'nginx-without-capability');
    for (const copy of [cappedNginx, plainNginx]) {
      copyFileSync(nginx, copy);
      chmodSync(copy, 0o755);
    }
    // Exactly what docker/proxy/Dockerfile does to /usr/sbin/nginx.
    await run(String(setcap), ['cap_net_bind_service=+ep', cappedNginx]);
    healthcheck = await buildGoBinary(String(tools.go), './cmd/healthcheck', path.join(bin, 'healthcheck'));
  }, 120000);

  afterAll(async () => {
    await group?.stopAll();
    await ns?.remove();
  });

  test('the namespace has only its loopback, and there ports below 1024 take a capability', async () => {
    const links = await namespace().exec(String(ip), ['-o', 'link']);
    expect(links.stdout.trim().split('\n')).toHaveLength(1);
    expect(links.stdout).toMatch(/^1: lo: <LOOPBACK,UP,LOWER_UP>/);
    const start = await namespace().exec('cat', ['/proc/sys/net/ipv4/ip_unprivileged_port_start']);
    expect(start.stdout.trim()).toBe('1024');
  });

  test('without the file capability, nginx as that user cannot bind port 80 and the proxy exits', async () => {
    const failing = startAsProxy('proxy-without-capability', proxySetup('without-capability', plainNginx, undefined));
    const exit = await failing.waitForExit(30000);
    expect(exit.code).not.toBe(0);
    expect(failing.output()).toMatch(/bind\(\) to 0\.0\.0\.0:80 failed \(13: Permission denied\)/);
    // nginx -t opens the listeners too: the entry script stops before starting nginx.
    expect(failing.output()).toMatch(/nginx -t rejects the rendered configuration/);
  });

  test('under no-new-privileges the file capability is ignored: the same failure, which is why the containers keep it off', async () => {
    const env = proxySetup('no-new-privileges', cappedNginx, undefined);
    const failing = startAsProxy('proxy-no-new-privileges', env, { ...AS_PROXY, noNewPrivs: true });
    expect((await failing.waitForExit(30000)).code).not.toBe(0);
    expect(failing.output()).toMatch(/bind\(\) to 0\.0\.0\.0:80 failed \(13: Permission denied\)/);
  });

  test('with the capability the image gives its binary, it binds 0.0.0.0:80 and 0.0.0.0:443', async () => {
    const env = proxySetup('as-image', cappedNginx, DOMAIN);
    runDir = String(env.PROXY_RUN_DIR);
    proxy = startAsProxy('proxy', env);
    await waitForOutput(proxy, /nginx started \(pid \d+, mode bootstrap, http :80, https :443\)/, 15000);
    const listening = parseListeners((await namespace().exec(String(ss), ['-Hltnpe'])).stdout);
    expect(listening.map((l) => l.local).sort()).toEqual(['0.0.0.0:443', '0.0.0.0:80']);
  });

  test(`the listeners belong to uid ${PROXY_USER.uid}: every process on them is that user, without root's groups`, async () => {
    const listening = parseListeners((await namespace().exec(String(ss), ['-Hltnpe'])).stdout);
    const master = Number(readFileSync(path.join(runDir, 'nginx.pid'), 'utf8'));
    for (const listener of listening) {
      expect(listener.uid).toBe(PROXY_USER.uid);
      expect(listener.pids).toContain(master);
      expect(listener.pids.length).toBeGreaterThan(1); // the master and its workers
      for (const pid of listener.pids) {
        const status = processStatus(pid);
        expect(status.uids).toEqual([PROXY_USER.uid, PROXY_USER.uid, PROXY_USER.uid, PROXY_USER.uid]);
        expect(status.gids).toEqual([PROXY_USER.gid, PROXY_USER.gid, PROXY_USER.gid, PROXY_USER.gid]);
        expect(status.groups).toBe('');
      }
    }
    console.log(`proxy as uid ${PROXY_USER.uid}: ${listening.map((l) => `${l.local} pids ${l.pids.join(',')}`).join('; ')}`);
  });

  test('only nginx holds NET_BIND_SERVICE (from its file), nothing else; the entry script holds no capability', () => {
    const master = processStatus(Number(readFileSync(path.join(runDir, 'nginx.pid'), 'utf8')));
    expect(master.capEff).toBe(NET_BIND_SERVICE);
    expect(master.capPrm).toBe(NET_BIND_SERVICE);
    expect(master.capBnd).toBe(NET_BIND_SERVICE);
    // `ip netns exec` and setpriv exec in place: the started pid is the entry script's.
    const pid = proxy?.child.pid ?? 0;
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('entrypoint.sh');
    const script = processStatus(pid);
    expect(script.uids[0]).toBe(PROXY_USER.uid);
    expect(script.capEff).toBe(0n);
    expect(script.capPrm).toBe(0n);
  });

  test("it serves: the image's health check as that user on port 80, the bootstrap certificate on 443", async () => {
    const health = await namespace().exec(healthcheck, ['http://127.0.0.1:80/healthz'], AS_PROXY);
    expect({ code: health.code, stderr: health.stderr }).toEqual({ code: 0, stderr: '' });
    const tls = await namespace().exec('openssl', ['s_client', '-connect', '127.0.0.1:443', '-servername', DOMAIN, '-brief']);
    expect(tls.stdout + tls.stderr).toMatch(new RegExp(`Peer certificate: CN ?= ?${DOMAIN.replace('.', '\\.')}`));
    // The bootstrap key it made: that user's, readable by nobody else.
    const key = statSync(path.join(runDir, 'bootstrap', 'key.pem'));
    expect({ uid: key.uid, gid: key.gid, mode: key.mode & 0o777 }).toEqual({ ...PROXY_USER, mode: 0o600 });
  });

  test('SIGTERM: the graceful stop works as that user, exit 0, and ports 80 and 443 are free again', async () => {
    const exit = await (proxy as ServiceProcess).stop('SIGTERM');
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(parseListeners((await namespace().exec(String(ss), ['-Hltn'])).stdout)).toEqual([]);
  });
});

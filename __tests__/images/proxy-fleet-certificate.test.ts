/**
 * docker/proxy, several proxies on one certificate volume (one per instance with instanceCount > 1):
 * three entry scripts on the host, each with its own run dir and loopback address (127.0.0.1-3,
 * same ports), sharing ACME_PATH, against Pebble. One ACME order for the fleet, the HTTP-01
 * validation answered by a proxy that did not order (the shared webroot), the lock on the
 * volume (a fresh one held elsewhere is waited for, a stale or orphaned one is broken), and every
 * proxy reloading a certificate another one renewed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, statSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { freePort } from './support/free-port';
import { ENTRYPOINT, proxyEnv, runEntrypoint } from './support/proxy-entrypoint';
import { startPebble, type Pebble } from './support/proxy-pebble';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { countMatches, waitForOutput, waitUntil } from './support/proxy-wait';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

const CERT_CHECK_SECONDS = 1;
const CHALLENGE_SERVED = /"GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200 .*Pebble/;

describeWithTools('one certificate for a fleet of proxies sharing the volume (Pebble, HTTP-01)', () => {
  const domain = 'fleet.pebble.test';
  const addresses = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
  let pebble: Pebble;
  let dir = '';
  let acmePath = '';
  let httpsPort = 0;
  const envs: NodeJS.ProcessEnv[] = [];
  const proxies: ServiceProcess[] = [];

  const certFile = (volume: string): string =>
    path.join(volume, new URL(pebble.directoryUrl).host.replace(':', '_'), 'certificates', `${domain}.crt`);
  const serialOnDisk = (volume = acmePath): string =>
    execFileSync('openssl', ['x509', '-in', certFile(volume), '-noout', '-serial'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .replace(/^serial=/, '');
  const servedSerial = async (i: number): Promise<string | undefined> =>
    (await get(`https://${addresses[i]}:${httpsPort}/healthz`, { servername: domain, ca: pebble.issuingRootPem })).tls?.serial;
  const allServe = async (serial: string): Promise<boolean> =>
    (await Promise.all(addresses.map((_, i) => servedSerial(i)))).every((s) => s === serial);
  const start = (i: number, extra: NodeJS.ProcessEnv = {}): ServiceProcess => {
    proxies[i] = group.start(`proxy-${i + 1}`, 'sh', [ENTRYPOINT], { env: { ...envs[i], ...extra } });
    return proxies[i];
  };
  const stopAll = async (): Promise<void> => {
    for (const p of proxies) if (p?.running) expect(await p.stop('SIGTERM')).toMatchObject({ code: 0 });
  };

  /** A lock as another proxy leaves it: `owner` lines in the lock directory on the volume. */
  const plantLock = (volume: string, owner: Record<string, string | number>): string => {
    const lock = path.join(volume, '_lock');
    mkdirSync(lock);
    writeFileSync(
      path.join(lock, 'owner'),
      Object.entries(owner)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    return lock;
  };
  const now = (): number => Math.floor(Date.now() / 1000);
  const procStart = (pid: number): string =>
    readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ')[19];
  const thisHost = {
    host: readFileSync('/proc/sys/kernel/hostname', 'utf8').trim(),
    boot: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
    pidns: execFileSync('readlink', ['/proc/self/ns/pid'], { encoding: 'utf8' }).trim(),
  };

  beforeAll(async () => {
    dir = path.join(workDir, 'fleet');
    mkdirSync(dir, { mode: 0o755 });
    acmePath = path.join(dir, 'acme');
    const [httpPort, https, idlePort] = await Promise.all([freePort(), freePort(), freePort()]);
    httpsPort = https;
    pebble = await startPebble(group, dir, httpPort);
    // 700, as the image makes /etc/acme: run as root (here), the entry script must let its
    // www-data workers into the volume's webroot, or no proxy could answer the challenge.
    mkdirSync(acmePath);
    chmodSync(acmePath, 0o700);
    for (const [i, address] of addresses.entries()) {
      const env = proxyEnv({
        dir: path.join(dir, `proxy-${i + 1}`),
        nginx,
        lego: tools.lego,
        httpPort,
        httpsPort,
        domain,
        apiUpstream: `127.0.0.1:${idlePort}`,
        frontendUpstream: `127.0.0.1:${idlePort}`,
        acmeDirectory: pebble.directoryUrl,
        acmeCaFile: pebble.listenerCaFile,
      });
      envs.push({ ...env, ACME_PATH: acmePath, LISTEN_ADDRESS: address, CERT_CHECK_SECONDS: String(CERT_CHECK_SECONDS) });
    }
  }, 60000);

  afterAll(async () => {
    await stopAll();
  });

  test('the lock and check settings are validated', async () => {
    await expect(runEntrypoint(group, { ...envs[0], CERT_CHECK_SECONDS: '1m' }, ['render'])).rejects.toThrow(
      /CERT_CHECK_SECONDS '1m' must be a non-negative integer/,
    );
    await expect(runEntrypoint(group, { ...envs[0], ACME_LOCK_STALE_SECONDS: '5' }, ['render'])).rejects.toThrow(
      /ACME_LOCK_STALE_SECONDS '5' must be at least 10/,
    );
    await expect(runEntrypoint(group, { ...envs[0], ACME_LOCK_WAIT_SECONDS: '-1' }, ['render'])).rejects.toThrow(
      /ACME_LOCK_WAIT_SECONDS '-1' must be a non-negative integer/,
    );
  });

  test('a fresh lock held by another proxy: the proxies wait, skip the round and order nothing', async () => {
    const lock = plantLock(acmePath, { host: 'proxy-elsewhere', pid: 4242, since: now() });
    const owner = readFileSync(path.join(lock, 'owner'), 'utf8');
    for (const i of [1, 2]) start(i, { ACME_LOCK_WAIT_SECONDS: '1', ACME_RETRY_SECONDS: '3600' });
    for (const i of [1, 2]) {
      await waitForOutput(proxies[i], /ACME round skipped \(another proxy holds the lock\): next round in 3600s/, 15000);
      expect(proxies[i].output()).toMatch(/ACME lock held by proxy-elsewhere pid 4242 since \d+s: waiting/);
      expect(proxies[i].output()).toMatch(/ACME lock still held by proxy-elsewhere pid 4242 after 1s: skipping this round, no ACME order/);
      expect(proxies[i].output()).not.toMatch(/ordering a certificate|broke the stale/);
    }
    expect(pebble.orders()).toBe(0);
    expect(readFileSync(path.join(lock, 'owner'), 'utf8')).toBe(owner);
    rmSync(lock, { recursive: true });
  });

  test('one order for the fleet: validated through another proxy (shared webroot), every proxy serves its serial', async () => {
    // The CA's validation goes to proxy 3; proxy 1, which alone may order (2 and 3 wait an hour), orders.
    await pebble.pointAt(domain, addresses[2]);
    start(0);
    await waitForOutput(proxies[0], /new certificate for fleet\.pebble\.test/, 30000);
    expect(proxies[0].output()).toMatch(/ordering a certificate for fleet\.pebble\.test/);
    expect(pebble.orders()).toBe(1);
    // Pebble may fetch the token more than once (one order, one authorization).
    expect(countMatches(proxies[2], CHALLENGE_SERVED)).toBeGreaterThanOrEqual(1);
    expect(countMatches(proxies[0], CHALLENGE_SERVED)).toBe(0);
    expect(existsSync(path.join(acmePath, '_lock'))).toBe(false);
    if (process.getuid?.() === 0) expect(statSync(acmePath).mode & 0o777).toBe(0o701);
    expect(statSync(path.join(acmePath, '_webroot', '.well-known', 'acme-challenge')).mode & 0o777).toBe(0o755);

    const serial = serialOnDisk();
    await waitUntil('every proxy to serve the certificate', () => allServe(serial), (CERT_CHECK_SECONDS + 5) * 1000);
    for (const i of [1, 2]) {
      expect(proxies[i].output()).toMatch(
        new RegExp(`the certificate on the volume changed \\(serial ${serial}, serving the bootstrap certificate\\): reloading`),
      );
      expect(proxies[i].output()).toMatch(/nginx reloaded \(mode tls\)/);
    }
    expect(pebble.orders()).toBe(1);
  });

  test('a forced renewal on one proxy: every other proxy serves the new serial within CERT_CHECK_SECONDS and a reload', async () => {
    const oldSerial = serialOnDisk();
    proxies[0].child.kill('SIGUSR1');
    await waitForOutput(proxies[0], /new certificate for fleet\.pebble\.test/, 30000, 2);
    const renewedAt = Date.now();
    const newSerial = serialOnDisk();
    expect(newSerial).not.toBe(oldSerial);
    const lags: number[] = [];
    await Promise.all(
      [1, 2].map(async (i) => {
        await waitUntil(`proxy ${i + 1} to serve the new serial`, async () => (await servedSerial(i)) === newSerial, 10000);
        lags.push(Date.now() - renewedAt);
      }),
    );
    console.log(
      `fleet: proxies 2 and 3 served the renewed certificate ${lags.join(' ms, ')} ms after proxy 1 renewed it (CERT_CHECK_SECONDS=${CERT_CHECK_SECONDS})`,
    );
    // The interval, then the check and the reload (openssl, render, nginx -t, new workers): 0.1 to
    // 0.7 s on an idle machine, more than 1.5 s at a load of 16 on the shared 2 cores.
    for (const lag of lags) expect(lag).toBeLessThan(CERT_CHECK_SECONDS * 1000 + 4000);
    expect(await allServe(newSerial)).toBe(true);
    for (const i of [1, 2])
      expect(proxies[i].output()).toMatch(new RegExp(`changed \\(serial ${newSerial}, serving serial ${oldSerial}\\): reloading`));
    expect(pebble.orders()).toBe(2);
  });

  test('a stale lock (taken more than ACME_LOCK_STALE_SECONDS ago) is broken and logged, and the renewal goes ahead', async () => {
    plantLock(acmePath, { host: 'proxy-gone', task: 'task-0f1e', pid: 4242, since: now() - 3600 });
    const output = await runEntrypoint(group, envs[1], ['renew', '--force']);
    expect(output).toMatch(
      /broke the stale ACME lock of proxy-gone task task-0f1e pid 4242: taken 36\d\ds ago, more than ACME_LOCK_STALE_SECONDS=600s/,
    );
    expect(output).toMatch(/new certificate for fleet\.pebble\.test/);
    expect(pebble.orders()).toBe(3);
    expect(existsSync(path.join(acmePath, '_lock'))).toBe(false);
    const serial = serialOnDisk();
    await waitUntil('every proxy to serve the certificate', () => allServe(serial), (CERT_CHECK_SECONDS + 5) * 1000);
  });

  test('a lock whose owner is gone from this host is broken at once; one whose owner lives is kept', async () => {
    const live = { ...thisHost, pid: process.pid, start: procStart(process.pid), since: now() };
    const lock = plantLock(acmePath, live);
    await expect(runEntrypoint(group, { ...envs[2], ACME_LOCK_WAIT_SECONDS: '1' }, ['renew', '--force'])).rejects.toThrow(
      new RegExp(`ACME lock held by ${thisHost.host} pid ${process.pid}[^]*another proxy holds the ACME lock`),
    );
    expect(pebble.orders()).toBe(3);
    rmSync(lock, { recursive: true });

    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    plantLock(acmePath, { ...thisHost, pid: dead, start: '1', since: now() });
    const output = await runEntrypoint(group, envs[2], ['renew', '--force']);
    expect(output).toMatch(
      new RegExp(`broke the stale ACME lock of ${thisHost.host} pid ${dead}: its owner, pid ${dead} on this host, is gone`),
    );
    expect(output).not.toMatch(/waiting/);
    expect(pebble.orders()).toBe(4);
    const serial = serialOnDisk();
    await waitUntil('every proxy to serve the certificate', () => allServe(serial), (CERT_CHECK_SECONDS + 5) * 1000);
  });

  test('a holder whose lock was broken and taken by another proxy meanwhile leaves the new lock alone', async () => {
    // lego through a wrapper that first sleeps: time to swap the lock under the holder.
    const wrapper = path.join(workDir, 'lego-slow.sh');
    writeFileSync(wrapper, `#!/bin/sh\nsleep 3\nexec '${tools.lego}' "$@"\n`, { mode: 0o755 });
    const renew = group.start('entrypoint-renew-slow', 'sh', [ENTRYPOINT, 'renew', '--force'], { env: { ...envs[1], LEGO_BIN: wrapper } });
    const lock = path.join(acmePath, '_lock');
    await waitUntil('the renewal to take the lock', async () => existsSync(path.join(lock, 'owner')), 5000);
    expect(readFileSync(path.join(lock, 'owner'), 'utf8')).toMatch(new RegExp(`^host=${thisHost.host}\npid=\\d+\npidns=`));
    rmSync(lock, { recursive: true });
    plantLock(acmePath, { host: 'proxy-newer', pid: 4343, since: now() });
    expect((await renew.waitForExit(60000)).code).toBe(0);
    expect(renew.output()).toMatch(
      /warning: the ACME lock was broken while this proxy held it \(now held by proxy-newer pid 4343\): left alone/,
    );
    expect(readFileSync(path.join(lock, 'owner'), 'utf8')).toMatch(/^host=proxy-newer\n/);
    rmSync(lock, { recursive: true });
    const serial = serialOnDisk();
    await waitUntil('every proxy to serve the certificate', () => allServe(serial), (CERT_CHECK_SECONDS + 5) * 1000);
  });

  test('three proxies starting together on an empty volume: one orders, the others wait for it and order nothing', async () => {
    await stopAll();
    const volume = path.join(dir, 'acme-empty');
    mkdirSync(volume, { mode: 0o755 });
    const ordersBefore = pebble.orders();
    // Held until all three have started nginx and met it, so that all three compete once it goes.
    const lock = plantLock(volume, { host: 'proxy-elsewhere', pid: 4242, since: now() });
    for (const i of [0, 1, 2]) start(i, { ACME_PATH: volume });
    for (const i of [0, 1, 2]) await waitForOutput(proxies[i], /ACME lock held by proxy-elsewhere pid 4242 .*: waiting/, 15000);
    rmSync(lock, { recursive: true });

    await waitUntil('every proxy to serve the certificate on the new volume', async () => allServe(serialOnDisk(volume)), 30000);
    const ordered = proxies.filter((p) => countMatches(p, /ordering a certificate for fleet\.pebble\.test/) > 0);
    expect(ordered).toHaveLength(1);
    for (const p of proxies.filter((q) => !ordered.includes(q))) {
      expect(p.output()).toMatch(/certificate for fleet\.pebble\.test valid for more than 30 days: no renewal/);
      expect(p.output()).toMatch(/nginx reloaded \(mode tls\)/);
    }
    expect(pebble.orders()).toBe(ordersBefore + 1);
    await stopAll();
  });
});

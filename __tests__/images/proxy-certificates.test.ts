/**
 * docker/proxy with DOMAIN: certificates from a local ACME CA (Pebble) validating HTTP-01
 * against the proxy's nginx, the entry script run on the host as the image runs it: the first
 * order, reuse from the volume, forced and signalled renewals, renewal by expiry.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { sleep } from '../../rehearsal/processes';
import { freePort } from './support/free-port';
import { proxyEnv, runEntrypoint, startProxy } from './support/proxy-entrypoint';
import { startPebble, type Pebble } from './support/proxy-pebble';
import { get, group, requireProxyTools, useProxyWorkDir, workDir } from './support/proxy-suite';
import { countMatches, waitForOutput, waitUntil } from './support/proxy-wait';
import type { ServiceProcess } from './support/service-process';

const { tools, describeWithTools, nginx } = requireProxyTools();
useProxyWorkDir();

describeWithTools('proxy certificates from a real ACME CA (Pebble, HTTP-01)', () => {
  const domain = 'proxy.pebble.test';
  let pebble: Pebble;
  let env: NodeJS.ProcessEnv;
  let proxy: ServiceProcess;
  let httpsUrl = '';
  let certFile = '';

  const serialOnDisk = (): string =>
    execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-serial'], { encoding: 'utf8' })
      .trim()
      .replace(/^serial=/, '');
  const getHttps = (urlPath: string) => get(`${httpsUrl}${urlPath}`, { servername: domain, ca: pebble.issuingRootPem });
  const servedSerial = async (): Promise<string | undefined> => (await getHttps('/healthz')).tls?.serial;

  beforeAll(async () => {
    const dir = path.join(workDir, 'acme-test');
    mkdirSync(dir, { mode: 0o755 });
    const [httpPort, httpsPort, idlePort] = await Promise.all([freePort(), freePort(), freePort()]);
    pebble = await startPebble(group, dir, httpPort);
    env = proxyEnv({
      dir,
      nginx,
      lego: tools.lego,
      httpPort,
      httpsPort,
      domain,
      // Nothing listens there: these tests are about certificates, and /healthz needs no upstream.
      apiUpstream: `127.0.0.1:${idlePort}`,
      frontendUpstream: `127.0.0.1:${idlePort}`,
      acmeDirectory: pebble.directoryUrl,
      acmeCaFile: pebble.listenerCaFile,
    });
    httpsUrl = `https://127.0.0.1:${httpsPort}`;
    // One lego data dir per ACME directory host, under the volume.
    certFile = path.join(dir, 'acme', new URL(pebble.directoryUrl).host.replace(':', '_'), 'certificates', `${domain}.crt`);
  }, 60000);

  test('first start: bootstrap certificate, Pebble certificate over HTTP-01, HTTPS serves it', async () => {
    proxy = startProxy(group, env);
    try {
      await waitForOutput(proxy, /nginx reloaded \(mode tls\)/, 30000);
      expect(proxy.output()).toMatch(/self-signed bootstrap certificate/);
      expect(proxy.output()).toMatch(/"GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200 .*Pebble/);
      expect(pebble.orders()).toBe(1);

      // `nginx -s reload` returns before the new workers take over: the first handshakes may
      // still get the bootstrap certificate, which the chain check rejects.
      await waitUntil('HTTPS to serve the Pebble certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
      const reply = await getHttps('/healthz');
      expect(reply).toMatchObject({ status: 200, body: 'ok\n' });
      expect(reply.tls).toEqual({ serial: serialOnDisk(), issuerCN: expect.stringMatching(/^Pebble Intermediate CA/), authorized: true });
      expect(reply.headers['strict-transport-security']).toBe('max-age=63072000');

      const plain = await get(`http://127.0.0.1:${env.HTTP_PORT}/some/page?q=1`);
      expect(plain.status).toBe(301);
      expect(plain.headers.location).toBe(`https://${domain}:${env.HTTPS_PORT}/some/page?q=1`);
      expect((await get(`http://127.0.0.1:${env.HTTP_PORT}/healthz`)).status).toBe(200);
    } finally {
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  test('second start: reuses the certificate on the volume, no new order', async () => {
    const serial = serialOnDisk();
    proxy = startProxy(group, env);
    await waitForOutput(proxy, /nginx started .*mode tls/, 10000);
    expect(proxy.output()).toMatch(/reusing the certificate on the volume .* no ACME order/);
    expect(await servedSerial()).toBe(serial);
    await sleep(1000); // a stray order would start right after nginx
    expect(pebble.orders()).toBe(1);
    expect(proxy.output()).not.toMatch(/ordering a certificate|renewal/);
    expect(serialOnDisk()).toBe(serial);
  });

  test('entrypoint.sh renew --force replaces the certificate; the reload fails no request', async () => {
    const oldSerial = serialOnDisk();
    let loadRunning = true;
    let served = 0;
    const failures: string[] = [];
    const seen = new Set<string>();
    const client = async (): Promise<void> => {
      while (loadRunning) {
        try {
          const reply = await getHttps('/healthz');
          if (reply.status === 200) served += 1;
          else failures.push(`status ${reply.status}`);
          if (reply.tls !== undefined) seen.add(reply.tls.serial);
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const clients = [client(), client(), client()];
    let output = '';
    try {
      output = await runEntrypoint(group, env, ['renew', '--force']);
      await waitUntil('HTTPS to serve the new certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
      await sleep(300);
    } finally {
      loadRunning = false;
      await Promise.all(clients);
    }
    const newSerial = serialOnDisk();
    console.log(`proxy: ${served} HTTPS requests during the forced renewal, ${failures.length} failed`);
    expect(newSerial).not.toBe(oldSerial);
    expect(output).toMatch(/nginx reloaded \(mode tls\)/);
    expect(failures).toEqual([]);
    expect(served).toBeGreaterThan(20);
    expect(seen).toEqual(new Set([oldSerial, newSerial]));
    expect(pebble.orders()).toBe(2);
  });

  test('SIGUSR1 makes the running proxy renew now', async () => {
    const oldSerial = serialOnDisk();
    proxy.child.kill('SIGUSR1');
    await waitForOutput(proxy, /new certificate for proxy\.pebble\.test/, 30000);
    await waitForOutput(proxy, /nginx reloaded \(mode tls\)/, 5000);
    expect(serialOnDisk()).not.toBe(oldSerial);
    expect(pebble.orders()).toBe(3);
    await waitUntil('HTTPS to serve the renewed certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
  });

  test('SIGTERM with the renewal loop running: exit 0 at once', async () => {
    const exit = await proxy.stop('SIGTERM');
    console.log(`proxy (DOMAIN set, renewal loop running): SIGTERM to exit: ${exit.ms} ms`);
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.ms).toBeLessThan(2000);
    expect(proxy.output()).toMatch(/stopped in \d+ ms/);
  });

  test('RENEW_DAYS and RENEW_INTERVAL_SECONDS: a certificate closer to expiry is renewed at start, then on schedule', async () => {
    // Pebble's certificates are valid for 5 years: with RENEW_DAYS=2000 every check renews.
    const ordersBefore = pebble.orders();
    const serial = serialOnDisk();
    proxy = startProxy(group, { ...env, RENEW_DAYS: '2000', RENEW_INTERVAL_SECONDS: '1' });
    try {
      await waitForOutput(proxy, /expires within 2000 days: renewing now/, 10000);
      await waitForOutput(proxy, /new certificate for proxy\.pebble\.test/, 30000, 2);
      expect(proxy.output()).not.toMatch(/forced renewal/);
      expect(pebble.orders()).toBeGreaterThanOrEqual(ordersBefore + 2);
      expect(serialOnDisk()).not.toBe(serial);
    } finally {
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  test('a forced renewal during an ACME outage stays forced at each retry, and renews once the CA answers', async () => {
    // lego through a wrapper that fails, as lego does with an unreachable directory, while a flag file exists.
    const outage = path.join(workDir, 'acme-outage');
    const wrapper = path.join(workDir, 'lego-outage.sh');
    writeFileSync(
      wrapper,
      `#!/bin/sh\nif [ -e '${outage}' ]; then echo 'dial tcp: connect: connection refused (test outage)' >&2; exit 1; fi\nexec '${tools.lego}' "$@"\n`,
      { mode: 0o755 },
    );
    const oldSerial = serialOnDisk();
    const ordersBefore = pebble.orders();
    proxy = startProxy(group, { ...env, LEGO_BIN: wrapper, ACME_RETRY_SECONDS: '1', ACME_RETRY_MAX_SECONDS: '2' });
    try {
      // The renewal loop starts after nginx: a USR1 before it is ignored.
      await waitForOutput(proxy, /nginx started .*mode tls/, 10000);
      await sleep(300);
      writeFileSync(outage, '');
      proxy.child.kill('SIGUSR1');
      await waitForOutput(proxy, /ACME round failed \(3 in a row\): retrying in 2s/, 20000);
      expect(countMatches(proxy, /forced renewal of the certificate/)).toBeGreaterThanOrEqual(3);
      expect(proxy.output()).not.toMatch(/valid for more than \d+ days: no renewal/);
      unlinkSync(outage);
      await waitForOutput(proxy, /ACME succeeded after \d+ failed round\(s\)/, 15000);
      expect(proxy.output()).not.toMatch(/valid for more than \d+ days: no renewal/);
      expect(serialOnDisk()).not.toBe(oldSerial);
      expect(pebble.orders()).toBe(ordersBefore + 1);
      await waitUntil('HTTPS to serve the renewed certificate', async () => (await servedSerial()) === serialOnDisk(), 5000);
    } finally {
      rmSync(outage, { force: true });
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
    }
  });

  test('an ACME outage: failed rounds back off (ACME_RETRY_SECONDS doubled, capped), the first round after it succeeds', async () => {
    // The directory through a TCP relay to Pebble: while the relay does not listen, lego's
    // connection is refused, as when the CA is unreachable.
    const relayPort = await freePort();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(new URL(pebble.directoryUrl).port), '127.0.0.1');
      client.pipe(upstream).pipe(client);
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
    });
    const directory = new URL(pebble.directoryUrl);
    directory.port = String(relayPort);
    const ordersBefore = pebble.orders();
    proxy = startProxy(group, { ...env, ACME_DIRECTORY: directory.toString(), ACME_RETRY_SECONDS: '1', ACME_RETRY_MAX_SECONDS: '4' });
    try {
      await waitForOutput(proxy, /ACME round failed \(5 in a row\): retrying in \d+s/, 30000);
      const delays = [...proxy.output().matchAll(/ACME round failed \((\d+) in a row\): retrying in (\d+)s/g)].map((m) => [
        Number(m[1]),
        Number(m[2]),
      ]);
      expect(delays.slice(0, 5)).toEqual([
        [1, 1],
        [2, 2],
        [3, 4],
        [4, 4],
        [5, 4],
      ]);
      expect(proxy.output()).toMatch(/connection refused/);
      expect(pebble.orders()).toBe(ordersBefore);
      await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
      await waitForOutput(proxy, /ACME succeeded after \d+ failed round\(s\)/, 15000);
      expect(proxy.output()).toMatch(/new certificate for proxy\.pebble\.test/);
      expect(pebble.orders()).toBe(ordersBefore + 1);
    } finally {
      expect(await proxy.stop('SIGTERM')).toMatchObject({ code: 0 });
      await new Promise<void>((resolve) => relay.close(() => resolve()));
    }
  });

  test('the entry script refuses a DOMAIN that is not a host name', async () => {
    await expect(runEntrypoint(group, { ...env, DOMAIN: 'bad domain;' }, ['render'])).rejects.toThrow(
      /DOMAIN 'bad domain;' is not a host name/,
    );
  });
});

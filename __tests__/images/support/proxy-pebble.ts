/**
 * A local ACME CA for the proxy tests: Debian's `pebble` (Let's Encrypt's test CA) with
 * `pebble-challtestsrv` as its DNS server, everything on 127.0.0.1.
 *
 * Wiring (reusable by the local rehearsal):
 * - pebble-challtestsrv runs only its DNS server (its challenge servers are disabled) and answers
 *   every A query with 127.0.0.1 and no AAAA, so any name (here `proxy.pebble.test`) resolves to
 *   loopback for Pebble's validation authority (`pebble -dnsserver`).
 * - Pebble's `httpPort` is the proxy's HTTP port: HTTP-01 validation fetches
 *   http://<name>:<httpPort>/.well-known/acme-challenge/<token> from the real nginx.
 * - Pebble's API listens with a throwaway self-signed certificate made here with openssl; lego
 *   trusts it through LEGO_CA_CERTIFICATES. The issuing root comes from Pebble's management
 *   port (/roots/0), to verify the certificate the proxy serves.
 * - PEBBLE_VA_NOSLEEP=1 (no random validation delay), PEBBLE_WFE_NONCEREJECT=0 (no spurious
 *   badNonce), PEBBLE_AUTHZREUSE=0 (every order validates again, so a renewal really goes
 *   through HTTP-01).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { httpGet } from '../../../rehearsal/http-check';
import { freePort } from './free-port';
import { countMatches, waitForOutput } from './proxy-wait';
import type { ProcessGroup } from './service-process';

/** A running Pebble and what a client needs to use it. */
export interface Pebble {
  readonly directoryUrl: string;
  /** PEM file of Pebble's own HTTPS listener certificate (for LEGO_CA_CERTIFICATES). */
  readonly listenerCaFile: string;
  /** PEM of the root that issues the ACME certificates. */
  readonly issuingRootPem: string;
  /** Orders Pebble has accepted so far (one per certificate request). */
  orders(): number;
  /**
   * Makes the DNS server answer `name` with `ipv4` (challtestsrv's /add-a) instead of 127.0.0.1:
   * Pebble's HTTP-01 validation then goes to that loopback address.
   */
  pointAt(name: string, ipv4: string): Promise<void>;
}

/** Starts pebble-challtestsrv (DNS) and Pebble, validating HTTP-01 on port `httpPort`. */
export async function startPebble(group: ProcessGroup, dir: string, httpPort: number): Promise<Pebble> {
  const listenerCaFile = path.join(dir, 'pebble-listener.pem');
  const listenerKeyFile = path.join(dir, 'pebble-listener.key');
  // Self-signed, and so its own CA: Go trusts a self-signed leaf listed in its roots.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=pebble listener',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      listenerKeyFile,
      '-out',
      listenerCaFile,
    ],
    { stdio: 'ignore' },
  );

  const [acmePort, managementPort, tlsPort, dnsPort, dnsManagementPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const configFile = path.join(dir, 'pebble-config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: listenerCaFile,
        privateKey: listenerKeyFile,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );

  const dns = group.start('pebble-challtestsrv', 'pebble-challtestsrv', [
    '-dns01',
    `127.0.0.1:${dnsPort}`,
    '-http01',
    '',
    '-https01',
    '',
    '-tlsalpn01',
    '',
    '-management',
    `127.0.0.1:${dnsManagementPort}`,
    '-defaultIPv4',
    '127.0.0.1',
    '-defaultIPv6',
    '',
  ]);
  const pebble = group.start('pebble', 'pebble', ['-config', configFile, '-dnsserver', `127.0.0.1:${dnsPort}`], {
    env: { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  });
  await waitForOutput(dns, /Starting management server/, 10000);
  await waitForOutput(pebble, /ACME directory available/, 15000);
  const ca = readFileSync(listenerCaFile, 'utf8');
  const root = await httpGet(`https://127.0.0.1:${managementPort}/roots/0`, { ca, servername: 'localhost', timeoutMs: 5000 });
  if (root.status !== 200) throw new Error(`Pebble /roots/0 answered ${root.status}`);
  return {
    directoryUrl: `https://127.0.0.1:${acmePort}/dir`,
    listenerCaFile,
    issuingRootPem: root.body,
    orders: () => countMatches(pebble, /Added order "/),
    pointAt: async (name, ipv4) => {
      const reply = await fetch(`http://127.0.0.1:${dnsManagementPort}/add-a`, {
        method: 'POST',
        body: JSON.stringify({ host: `${name}.`, addresses: [ipv4] }),
      });
      if (!reply.ok) throw new Error(`pebble-challtestsrv /add-a answered ${reply.status}`);
    },
  };
}

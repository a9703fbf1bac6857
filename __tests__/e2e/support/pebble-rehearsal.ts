/**
 * The rehearsal in ACME mode, as on EC2, against Let's Encrypt's test CA on loopback: Pebble (with
 * pebble-challtestsrv as its DNS, every name resolving to 127.0.0.1) started before `up`, the proxy
 * ordering its certificate for {@link PEBBLE_DOMAIN} over HTTP-01 on its HTTP port and serving it on
 * HTTPS. Used by the e2e tests that need a real certificate (proxy-certificate, acme-outage).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CERTIFICATE_MOUNT_PATH } from '../../../contract/services';
import { run } from '../../../rehearsal/command';
import { waitUntil } from '../../../rehearsal/http-check';
import { CERTIFICATE_VOLUME, loadSettings } from '../../../rehearsal/settings';
import { findTool } from '../../../rehearsal/tools';
import { freePort } from '../../images/support/free-port';
import { startPebble, type Pebble } from '../../images/support/proxy-pebble';
import { ProcessGroup } from '../../images/support/service-process';
import { missingForRehearsal, REPO_ROOT } from './rehearsal-cli';
import { holdRehearsal, type Rehearsal } from './rehearsal-session';
import { servedCertificate, type ServedCertificate } from './served-certificate';

/** Any name: pebble-challtestsrv resolves every one to 127.0.0.1. */
export const PEBBLE_DOMAIN = 'proxy.pebble.test';

/** What the Pebble rehearsal needs besides the rehearsal's own tools, and those. */
export function missingForPebbleRehearsal(): string[] {
  return [
    ...missingForRehearsal(),
    ...['pebble', 'pebble-challtestsrv'].filter((t) => findTool(t) === undefined).map((t) => `${t} (apt-get install pebble)`),
    ...(findTool('openssl') === undefined ? ['openssl (apt-get install openssl)'] : []),
  ];
}

/** The proxy's lego data dir for an ACME directory, named as docker/proxy/acme.sh names it. */
function legoDir(directoryUrl: string): string {
  return path.posix.join(CERTIFICATE_MOUNT_PATH, new URL(directoryUrl).host.replace(/[^A-Za-z0-9.-]/g, '_'));
}

export interface PebbleRehearsal {
  readonly rehearsal: () => Rehearsal;
  readonly acme: () => Pebble;
  /** The proxy's HTTPS port on 127.0.0.1. */
  readonly httpsPort: () => number;
  /** A scratch directory of the describe block (Pebble's files live there too). */
  readonly dir: () => string;
  /**
   * Waits for the proxy to serve a certificate for the domain that verifies against Pebble's root
   * (and, with `unlike`, whose serial is another one).
   */
  certificate(timeoutMs: number, unlike?: string): Promise<ServedCertificate>;
}

/** Call inside a `describe`: Pebble before `up` (the proxy orders as soon as it starts), then the rehearsal in ACME mode. */
export function holdPebbleRehearsal(prefix: string): PebbleRehearsal {
  const settings = loadSettings(REPO_ROOT);
  let dir = '';
  let group: ProcessGroup | undefined;
  let pebble: Pebble | undefined;
  let httpsPort = 0;
  const acme = (): Pebble => {
    if (pebble === undefined) throw new Error('Pebble did not start (see the beforeAll error)');
    return pebble;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), prefix));
    group = new ProcessGroup(dir);
    httpsPort = await freePort();
    pebble = await startPebble(group, dir, settings.proxyPort);
  });

  const rehearsal = holdRehearsal({
    env: () => ({
      REHEARSAL_DOMAIN: PEBBLE_DOMAIN,
      REHEARSAL_ACME_DIRECTORY: acme().directoryUrl,
      REHEARSAL_ACME_CA: acme().listenerCaFile,
      REHEARSAL_HTTPS_PORT: String(httpsPort),
    }),
    // This Pebble's account and certificates are of no use to a later run: off the cached volume.
    beforeDown: async (r: Rehearsal) => {
      if (pebble === undefined) return;
      const rm = ['run', '--rm', '--network', 'none', '-v', `${CERTIFICATE_VOLUME}:${CERTIFICATE_MOUNT_PATH}`, '--entrypoint', 'rm'];
      await run('docker', [...rm, 'platform/proxy:local', '-rf', legoDir(pebble.directoryUrl)], { env: r.dockerEnv });
    },
  });

  afterAll(async () => {
    await group?.stopAll();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  async function certificate(timeoutMs: number, unlike?: string): Promise<ServedCertificate> {
    let served: ServedCertificate | undefined;
    const result = await waitUntil(async () => {
      try {
        served = await servedCertificate(httpsPort, PEBBLE_DOMAIN, acme().issuingRootPem);
      } catch (error) {
        return { state: 'waiting', reason: error instanceof Error ? error.message : String(error) };
      }
      if (!served.authorized)
        return { state: 'waiting', reason: `serves ${served.issuerCN}'s certificate: ${served.authorizationError ?? 'not verified'}` };
      return unlike !== undefined && served.serial === unlike
        ? { state: 'waiting', reason: 'still the old certificate' }
        : { state: 'done' };
    }, timeoutMs);
    if (result.state !== 'done' || served === undefined)
      throw new Error(
        `no Pebble certificate on https://127.0.0.1:${httpsPort} within ${timeoutMs / 1000} s: ${result.state === 'done' ? '' : result.reason}`,
      );
    return served;
  }

  return { rehearsal, acme, httpsPort: () => httpsPort, dir: () => dir, certificate };
}

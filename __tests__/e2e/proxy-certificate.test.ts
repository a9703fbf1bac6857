/**
 * The proxy killed with a certificate on its volume comes back with the same certificate, and
 * asks the CA for nothing: the rehearsal's proxy in ACME mode, as on EC2, against Let's Encrypt's
 * test CA on loopback.
 *
 * - Pebble (with pebble-challtestsrv as its DNS, every name resolving to 127.0.0.1) on 127.0.0.1;
 *   its HTTP-01 validations go to the proxy's HTTP port, where the real nginx serves the tokens.
 * - `rehearsal up` with REHEARSAL_DOMAIN, REHEARSAL_ACME_DIRECTORY (Pebble) and REHEARSAL_ACME_CA
 *   (Pebble's listener certificate, mounted for lego): the proxy, host network, orders a
 *   certificate for the domain onto the certificate volume and serves it on HTTPS.
 * - `docker kill` of the proxy container over SSH, by the chaos CLI (`ssh:docker-kill`); swarm
 *   starts a new task on the same volume: the same serial and fingerprint, no new ACME order.
 *
 * Needs, besides the rehearsal's tools, pebble and openssl. Missing tools fail the run under
 * CI=true; elsewhere the tests are skipped, loudly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { run, runCommand } from '../../rehearsal/command';
import { waitUntil } from '../../rehearsal/http-check';
import { CERTIFICATE_VOLUME, loadSettings } from '../../rehearsal/settings';
import { SERVICE_NAME_LABEL } from '../../rehearsal/swarm';
import { findTool } from '../../rehearsal/tools';
import { CERTIFICATE_MOUNT_PATH } from '../../contract/services';
import { freePort } from '../images/support/free-port';
import { startPebble, type Pebble } from '../images/support/proxy-pebble';
import { ProcessGroup } from '../images/support/service-process';
import { expectExit, runChaos } from './support/chaos-cli';
import { expectPlausibleRecovery } from './support/experiment-checks';
import { outputs as activityOutputs, probeIn, readJournal } from './support/journal';
import { missingForRehearsal, REPO_ROOT } from './support/rehearsal-cli';
import { describeIfPossible, holdRehearsal, type Rehearsal } from './support/rehearsal-session';
import { servedCertificate, type ServedCertificate } from './support/served-certificate';

/** Any name: pebble-challtestsrv resolves every one to 127.0.0.1. */
const DOMAIN = 'proxy.pebble.test';
const EXPERIMENT = path.join(__dirname, 'fixtures', 'kill-proxy-keeps-certificate.yaml');

const missing = [
  ...missingForRehearsal(),
  ...['pebble', 'pebble-challtestsrv'].filter((t) => findTool(t) === undefined).map((t) => `${t} (apt-get install pebble)`),
  ...(findTool('openssl') === undefined ? ['openssl (apt-get install openssl)'] : []),
];

/** The proxy's lego data dir for an ACME directory, named as docker/proxy/acme.sh names it. */
function legoDir(directoryUrl: string): string {
  const host = new URL(directoryUrl).host;
  return path.posix.join(CERTIFICATE_MOUNT_PATH, host.replace(/[^A-Za-z0-9.-]/g, '_'));
}

describeIfPossible(missing, 'the proxy certificate test')('the proxy killed with a certificate on its volume (Pebble on loopback)', () => {
  const settings = loadSettings(REPO_ROOT);
  let dir = '';
  let group: ProcessGroup | undefined;
  let pebble: Pebble | undefined;
  let httpsPort = 0;
  const acme = (): Pebble => {
    if (pebble === undefined) throw new Error('Pebble did not start (see the beforeAll error)');
    return pebble;
  };

  // Before `up`: the proxy orders its certificate as soon as it starts.
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'e2e-certificate-'));
    group = new ProcessGroup(dir);
    httpsPort = await freePort();
    pebble = await startPebble(group, dir, settings.proxyPort);
  });

  const rehearsal = holdRehearsal({
    env: () => ({
      REHEARSAL_DOMAIN: DOMAIN,
      REHEARSAL_ACME_DIRECTORY: acme().directoryUrl,
      REHEARSAL_ACME_CA: acme().listenerCaFile,
      REHEARSAL_HTTPS_PORT: String(httpsPort),
    }),
    // This Pebble's account and certificate are of no use to a later run: off the cached volume.
    beforeDown: async (r: Rehearsal) => {
      if (pebble === undefined) return;
      await run(
        'docker',
        [
          'run',
          '--rm',
          '--network',
          'none',
          '-v',
          `${CERTIFICATE_VOLUME}:${CERTIFICATE_MOUNT_PATH}`,
          '--entrypoint',
          'rm',
          'platform/proxy:local',
          '-rf',
          legoDir(pebble.directoryUrl),
        ],
        {
          env: r.dockerEnv,
        },
      );
    },
  });

  afterAll(async () => {
    await group?.stopAll();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  /** Waits for the proxy to serve a certificate for DOMAIN that verifies against Pebble's root. */
  async function pebbleCertificate(timeoutMs: number): Promise<ServedCertificate> {
    let served: ServedCertificate | undefined;
    const result = await waitUntil(async () => {
      try {
        served = await servedCertificate(httpsPort, DOMAIN, acme().issuingRootPem);
      } catch (error) {
        return { state: 'waiting', reason: error instanceof Error ? error.message : String(error) };
      }
      return served.authorized
        ? { state: 'done' }
        : { state: 'waiting', reason: `serves ${served.issuerCN}'s certificate: ${served.authorizationError ?? 'not verified'}` };
    }, timeoutMs);
    if (result.state !== 'done' || served === undefined)
      throw new Error(
        `no Pebble certificate on https://127.0.0.1:${httpsPort} within ${timeoutMs / 1000} s: ${result.state === 'done' ? '' : result.reason}`,
      );
    return served;
  }

  let first: ServedCertificate | undefined;

  test('the proxy orders a certificate from Pebble over HTTP-01 and serves it on HTTPS', async () => {
    const started = Date.now();
    first = await pebbleCertificate(60_000);
    console.log(`Pebble certificate served after ${Date.now() - started} ms (after up): serial ${first.serial}, issuer ${first.issuerCN}`);
    expect(first.issuerCN).toMatch(/Pebble/);
    expect(acme().orders()).toBe(1);
  });

  test('docker kill over SSH (chaos ssh:docker-kill): a new container serves the same certificate, no new ACME order', async () => {
    if (first === undefined) throw new Error('no certificate was served before the kill (see the test above)');
    const ordersBefore = acme().orders();
    const chaos = await runChaos(EXPERIMENT, {
      journal: path.join(dir, 'kill-proxy.json'),
      env: { E2E_HTTPS_URL: `https://127.0.0.1:${httpsPort}/healthz` },
    });
    console.log(`kill-proxy-keeps-certificate (${(chaos.ms / 1000).toFixed(1)} s): ${chaos.stdout.trim()}`);
    expectExit(chaos, 0);
    const journal = readJournal(chaos.journal);
    expect(journal.status).toBe('completed');
    expectPlausibleRecovery(journal);
    expect(journal.recovery?.maxConsecutiveFailures).toBeGreaterThan(0);
    const killed = activityOutputs.stop.parse(journal.run[0]?.output).stoppedContainer ?? '';
    const after = activityOutputs.containerRunning.parse(probeIn(journal.steady_states.after, 'proxy-container-running').output);
    expect(after.replaced).toBe(true);
    const newContainer = after.containers[0]?.id ?? '';
    expect(newContainer.slice(0, 12)).not.toBe(killed.slice(0, 12));

    const again = await pebbleCertificate(30_000);
    expect(again.serial).toBe(first.serial);
    expect(again.fingerprint256).toBe(first.fingerprint256);
    expect(acme().orders()).toBe(ordersBefore);
    // The new container (still the one running) said why: the certificate came from the volume.
    const running = await run(
      'docker',
      ['ps', '-q', '--filter', `label=${SERVICE_NAME_LABEL}=${rehearsal().outputs.services.proxy.serviceName}`],
      { env: rehearsal().dockerEnv },
    );
    expect(running.slice(0, 12)).toBe(newContainer.slice(0, 12));
    const logs = await runCommand('docker', ['logs', newContainer], { env: rehearsal().dockerEnv });
    expect(logs.stdout + logs.stderr).toMatch(
      new RegExp(`reusing the certificate on the volume for ${DOMAIN.replace(/\./g, '\\.')}, no ACME order`),
    );
  });
});

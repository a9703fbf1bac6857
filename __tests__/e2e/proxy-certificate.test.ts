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
import * as path from 'node:path';
import { run, runCommand } from '../../rehearsal/command';
import { SERVICE_NAME_LABEL } from '../../rehearsal/swarm';
import { expectExit, runChaos } from './support/chaos-cli';
import { expectPlausibleRecovery } from './support/experiment-checks';
import { outputs as activityOutputs, probeIn, readJournal } from './support/journal';
import { holdPebbleRehearsal, missingForPebbleRehearsal, PEBBLE_DOMAIN } from './support/pebble-rehearsal';
import { describeIfPossible } from './support/rehearsal-session';
import type { ServedCertificate } from './support/served-certificate';

const EXPERIMENT = path.join(__dirname, 'fixtures', 'kill-proxy-keeps-certificate.yaml');

describeIfPossible(missingForPebbleRehearsal(), 'the proxy certificate test')(
  'the proxy killed with a certificate on its volume (Pebble on loopback)',
  () => {
    const { rehearsal, acme, httpsPort, dir, certificate: pebbleCertificate } = holdPebbleRehearsal('e2e-certificate-');

    let first: ServedCertificate | undefined;

    test('the proxy orders a certificate from Pebble over HTTP-01 and serves it on HTTPS', async () => {
      const started = Date.now();
      first = await pebbleCertificate(60_000);
      console.log(
        `Pebble certificate served after ${Date.now() - started} ms (after up): serial ${first.serial}, issuer ${first.issuerCN}`,
      );
      expect(first.issuerCN).toMatch(/Pebble/);
      expect(acme().orders()).toBe(1);
    });

    test('docker kill over SSH (chaos ssh:docker-kill): a new container serves the same certificate, no new ACME order', async () => {
      if (first === undefined) throw new Error('no certificate was served before the kill (see the test above)');
      const ordersBefore = acme().orders();
      const chaos = await runChaos(EXPERIMENT, {
        journal: path.join(dir(), 'kill-proxy.json'),
        env: { E2E_HTTPS_URL: `https://127.0.0.1:${httpsPort()}/healthz` },
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
        new RegExp(`reusing the certificate on the volume for ${PEBBLE_DOMAIN.replace(/\./g, '\\.')}, no ACME order`),
      );
    });
  },
);

/**
 * End to end: one certificate for the fleet, and a lost instance costs no new one. The 3-node
 * rehearsal (`rehearsal up --nodes 3`) in ACME mode against Pebble on the host's 127.0.0.1:
 *
 * - every node's proxy reaches the directory at its own 127.0.0.1:<port> (a DNAT in its
 *   namespace to 10.210.0.1, where the stand-in load balancer forwards to the host's loopback);
 * - Pebble's HTTP-01 validation goes to 127.0.0.1:<proxy port>, the stand-in load balancer, so to
 *   any node's proxy, which serves the token from the shared webroot on the shared directory;
 * - exactly one ACME order for the fleet; every node serves the same serial on HTTPS;
 * - `node-control terminate node-2`: the stand-in ASG's replacement serves the same serial from
 *   the shared directory, Pebble sees no new order; HTTPS through the load balancer is sampled
 *   during the loss.
 *
 * Self-contained like multi-node.test.ts: it takes the single-node rehearsal down first and ends
 * with `down`. Needs, besides the rehearsal's tools, pebble and openssl.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { SERVICES, userIds } from '../../contract/services';
import { httpGet, waitUntil } from '../../rehearsal/http-check';
import { fleetFiles, nodeFiles, nodeSlots, type NodeSlot } from '../../rehearsal/nodes';
import { loadSettings } from '../../rehearsal/settings';
import { rehearsalCopies } from '../../rehearsal/stack-file';
import { freePort } from '../images/support/free-port';
import { startPebble, type Pebble } from '../images/support/proxy-pebble';
import { ProcessGroup } from '../images/support/service-process';
import { missingForPebbleRehearsal, PEBBLE_DOMAIN } from './support/pebble-rehearsal';
import { REPO_ROOT, runRehearsal } from './support/rehearsal-cli';
import { describeIfPossible } from './support/rehearsal-session';
import { Sampler } from './support/sampler';
import { servedCertificate, type ServedCertificate } from './support/served-certificate';

const settings = loadSettings(REPO_ROOT, { ...process.env, REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '' });
const slots = nodeSlots(3);
const COPIES = rehearsalCopies().length;
const figures: Record<string, unknown> = {};

async function sh(command: string, args: readonly string[], env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return stdout.trim();
}

const nodeEnv = (slot: NodeSlot): Record<string, string> => ({ DOCKER_HOST: `unix://${nodeFiles(settings, slot).socket}` });

async function healthyOn(slot: NodeSlot): Promise<number> {
  try {
    const out = await sh(
      'docker',
      ['ps', '--filter', 'label=com.docker.stack.namespace=platform-local', '--format', '{{.Status}}'],
      nodeEnv(slot),
    );
    return out.split('\n').filter((l) => l.includes('(healthy)')).length;
  } catch {
    return 0;
  }
}

interface NodeStatus {
  name: string;
  engine: string;
  swarmNodeId: string;
  replacements: number;
}
async function nodeControl(...args: string[]): Promise<Record<string, unknown>> {
  return JSON.parse(await sh(`${REPO_ROOT}/.rehearsal/node-control`, args)) as Record<string, unknown>;
}
const nodeStatus = async (name: string): Promise<NodeStatus | undefined> =>
  ((await nodeControl('status')) as { nodes: NodeStatus[] }).nodes.find((n) => n.name === name);

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000}s`);
}

describeIfPossible(missingForPebbleRehearsal(), 'the multi-node certificate test')(
  'rehearsal up --nodes 3 in ACME mode (Pebble on the host loopback)',
  () => {
    let dir = '';
    let group: ProcessGroup | undefined;
    let pebble: Pebble | undefined;
    let httpsPort = 0;
    const acme = (): Pebble => {
      if (pebble === undefined) throw new Error('Pebble did not start (see the beforeAll error)');
      return pebble;
    };

    /** The certificate `host`:`port` serves for the domain, once it verifies against Pebble's root. */
    async function certificateAt(host: string, port: number, timeoutMs: number, serial?: string): Promise<ServedCertificate> {
      let served: ServedCertificate | undefined;
      const result = await waitUntil(async () => {
        try {
          served = await servedCertificate(port, PEBBLE_DOMAIN, acme().issuingRootPem, 3000, host);
        } catch (error) {
          return { state: 'waiting', reason: error instanceof Error ? error.message : String(error) };
        }
        if (!served.authorized)
          return { state: 'waiting', reason: `serves ${served.issuerCN}'s certificate: ${served.authorizationError ?? ''}` };
        return serial !== undefined && served.serial !== serial
          ? { state: 'waiting', reason: `serves serial ${served.serial}` }
          : { state: 'done' };
      }, timeoutMs);
      if (result.state !== 'done' || served === undefined)
        throw new Error(
          `no Pebble certificate on ${host}:${port} within ${timeoutMs / 1000} s: ${result.state === 'done' ? '' : result.reason}`,
        );
      return served;
    }

    beforeAll(async () => {
      const down = await runRehearsal(['down']);
      expect(down.code).toBe(0);
      dir = mkdtempSync(path.join(tmpdir(), 'e2e-fleet-certificate-'));
      group = new ProcessGroup(dir);
      httpsPort = await freePort();
      // Pebble validates HTTP-01 on the proxy port of 127.0.0.1: the stand-in load balancer.
      pebble = await startPebble(group, dir, settings.proxyPort);
      const up = await runRehearsal(['up', '--nodes', '3'], {
        REHEARSAL_DOMAIN: PEBBLE_DOMAIN,
        REHEARSAL_ACME_DIRECTORY: pebble.directoryUrl,
        REHEARSAL_ACME_CA: pebble.listenerCaFile,
        REHEARSAL_HTTPS_PORT: String(httpsPort),
      });
      expect(up.code).toBe(0);
      figures.upMs = up.ms;
    });

    afterAll(async () => {
      try {
        const down = await runRehearsal(['down']);
        figures.downMs = down.ms;
        expect(down.code).toBe(0);
        // Nothing of the directory's way is left: the namespaces (and their nat rules) and the forward.
        expect(await sh('ip', ['netns', 'list'])).not.toMatch(/platform-node-/);
        if (pebble !== undefined) {
          const port = new URL(pebble.directoryUrl).port;
          expect(await sh('ss', ['-Hltn'])).not.toMatch(new RegExp(`10\\.210\\.0\\.1:${port}\\b`));
        }
      } finally {
        // This Pebble's account and certificate are of no use to a later run.
        if (pebble !== undefined)
          rmSync(path.join(fleetFiles(settings).certificates, new URL(pebble.directoryUrl).host.replace(/[^A-Za-z0-9.-]/g, '_')), {
            recursive: true,
            force: true,
          });
        await group?.stopAll();
        if (dir !== '') rmSync(dir, { recursive: true, force: true });
        process.stdout.write(`\nmulti-node certificate figures: ${JSON.stringify(figures)}\n`);
      }
    });

    let first: ServedCertificate | undefined;

    test('the shared certificate directory is the proxy user’s, mode 700, as the single-node volume', () => {
      const stat = statSync(fleetFiles(settings).certificates);
      const { uid, gid } = userIds(SERVICES.proxy.user);
      expect({ uid: stat.uid, gid: stat.gid, mode: (stat.mode & 0o777).toString(8) }).toEqual({ uid, gid, mode: '700' });
    });

    test('one ACME order for the fleet: every node and the load balancer serve the same Pebble certificate', async () => {
      const started = Date.now();
      first = await certificateAt('127.0.0.1', httpsPort, 90_000);
      figures.certificateAfterUpMs = Date.now() - started;
      expect(first.issuerCN).toMatch(/Pebble/);
      // Every proxy checks the shared directory every 2 s: within a few, all serve it.
      for (const slot of slots)
        expect((await certificateAt(slot.address, httpsPort, 30_000, first.serial)).fingerprint256).toBe(first.fingerprint256);
      await new Promise((r) => setTimeout(r, 3000));
      expect(acme().orders()).toBe(1);
      // The token was on the shared webroot (lego's), answered by whichever proxy the load balancer picked.
      const logs = await Promise.all(
        slots.map((slot) =>
          sh(
            'sh',
            ['-c', `docker logs $(docker ps -q --filter label=com.docker.swarm.service.name=platform-local_proxy) 2>&1`],
            nodeEnv(slot),
          ),
        ),
      );
      // Requests for a token each node's proxy answered 200 (its access log, combined format).
      const challenges = Object.fromEntries(
        slots.map((slot, i) => [
          slot.name,
          (logs[i] ?? '').match(/"GET \/\.well-known\/acme-challenge\/\S+ HTTP\/1\.1" 200 /g)?.length ?? 0,
        ]),
      );
      figures.challengeRequestsAnswered = challenges;
      expect(Object.values(challenges).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    });

    test('terminate node-2: the replacement serves the same serial from the shared directory, no new order', async () => {
      if (first === undefined) throw new Error('no certificate was served before the loss (see the test above)');
      const served = first;
      const slot = slots[1];
      if (slot === undefined) throw new Error('no node-2');
      const ordersBefore = acme().orders();
      const before = await nodeStatus('node-2');
      const sampler = new Sampler(
        `https://127.0.0.1:${httpsPort}/api/status`,
        { servername: PEBBLE_DOMAIN, ca: acme().issuingRootPem },
        (r) => r.tls?.serial === served.serial,
      );
      await new Promise((r) => setTimeout(r, 1000));
      const killed = (await nodeControl('terminate', 'node-2')) as { killedPids: number[] };
      expect(killed.killedPids.length).toBeGreaterThan(COPIES);
      const replacedMs = await waitFor(
        'node-2 replaced',
        async () => {
          const now = await nodeStatus('node-2');
          return now?.engine === 'running' && now.replacements === (before?.replacements ?? 0) + 1;
        },
        60_000,
      );
      const healthyMs = await waitFor('node-2 healthy again', async () => (await healthyOn(slot)) === COPIES, 120_000);
      const again = await certificateAt(slot.address, httpsPort, 30_000);
      await new Promise((r) => setTimeout(r, 1000));
      const sampled = await sampler.stop();
      figures.terminate = { replacedMs, healthyMs: replacedMs + healthyMs, ...sampled };
      expect((await nodeStatus('node-2'))?.swarmNodeId).not.toBe(before?.swarmNodeId);
      expect(again.serial).toBe(served.serial);
      expect(again.fingerprint256).toBe(served.fingerprint256);
      expect(acme().orders()).toBe(ordersBefore);
      const logs = await sh(
        'sh',
        ['-c', `docker logs $(docker ps -q --filter label=com.docker.swarm.service.name=platform-local_proxy) 2>&1`],
        nodeEnv(slot),
      );
      expect(logs).toMatch(new RegExp(`reusing the certificate on the volume for ${PEBBLE_DOMAIN.replace(/\./g, '\\.')}, no ACME order`));
      // Every answer through the load balancer had the fleet's certificate; the loss costs at most a request in flight to node-2.
      expect(sampled.availability).toBeGreaterThanOrEqual(0.99);
      expect((await httpGet(`https://127.0.0.1:${httpsPort}/`, { servername: PEBBLE_DOMAIN, ca: acme().issuingRootPem })).status).toBe(200);
    });
  },
);

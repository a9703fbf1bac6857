/**
 * The multi-node rehearsal's pure parts: the `--nodes` option, the node layout, the stand-in load
 * balancer's configuration, the stack in fleet mode, and the outputs contract's node fields.
 */
import { localOutputsSchema } from '../../contract/outputs';
import { SERVICES } from '../../contract/services';
import { loadBalancerConfig } from '../../rehearsal/load-balancer';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { directoryRouteRules, MAX_NODES, nodeSlots, parseNodesOption, readFleet, writeFleet } from '../../rehearsal/nodes';
import { localOutputs } from '../../rehearsal/outputs';
import { PrerequisiteError } from '../../rehearsal/errors';
import { acmeDirectoryPort, requireFleetTools } from '../../rehearsal/fleet';
import { FLEET_PROXY_ENVIRONMENT, rehearsalCopies, stackFile } from '../../rehearsal/stack-file';

const images = {
  frontend: { ref: 'platform/frontend:local', id: 'sha256:aa' },
  api: { ref: 'platform/api:local', id: 'sha256:bb' },
  proxy: { ref: 'platform/proxy:local', id: 'sha256:cc' },
};

describe('--nodes', () => {
  test('absent: one node (today’s rehearsal); a number 1..9, as two words or with =', () => {
    expect(parseNodesOption([])).toEqual({ nodes: 1, rest: [] });
    expect(parseNodesOption(['--nodes', '3'])).toEqual({ nodes: 3, rest: [] });
    expect(parseNodesOption(['--nodes=9'])).toEqual({ nodes: 9, rest: [] });
    expect(parseNodesOption(['--nodes', '1', '--other'])).toEqual({ nodes: 1, rest: ['--other'] });
  });

  test.each([['0'], ['10'], ['-1'], ['2.5'], ['03'], ['three'], ['']])('"%s" is refused with a one-line PrerequisiteError', (value) => {
    const call = () => parseNodesOption(['--nodes', value]);
    expect(call).toThrow(PrerequisiteError);
    expect(call).toThrow(new RegExp(`--nodes "${value}" is not a number of nodes: give a whole number from 1 to ${MAX_NODES}`));
  });

  test('missing value and twice are refused', () => {
    expect(() => parseNodesOption(['--nodes'])).toThrow(/needs a value/);
    expect(() => parseNodesOption(['--nodes', '2', '--nodes=3'])).toThrow(/given twice/);
  });
});

describe('--nodes N > 1 prerequisites', () => {
  const acme = (directory: string) => ({ domain: 'proxy.test', directory, email: 'ops@example.org', httpsPort: 8443, caFile: undefined });

  test('not root: refused before anything starts', () => {
    expect(() => requireFleetTools({ isRoot: false, acme: undefined, proxyPort: 80 })).toThrow(/runs as root/);
  });

  test('ACME mode: the directory on 127.0.0.1, its port forwarded to every node', () => {
    expect(acmeDirectoryPort({ acme: undefined, proxyPort: 80 })).toBeUndefined();
    expect(acmeDirectoryPort({ acme: acme('https://127.0.0.1:14000/dir'), proxyPort: 80 })).toBe(14000);
    expect(acmeDirectoryPort({ acme: acme('https://127.0.0.1/dir'), proxyPort: 80 })).toBe(443);
  });

  test.each([
    ['https://localhost:14000/dir', /must name 127\.0\.0\.1 with --nodes N > 1/],
    ['https://[::1]:14000/dir', /must name 127\.0\.0\.1 with --nodes N > 1/],
    ['https://127.0.0.1:80/dir', /port 80 is the proxy's HTTP port on every node/],
    ['https://127.0.0.1:8443/dir', /port 8443 is the proxy's HTTPS port on every node/],
    ['https://127.0.0.1:8082/dir', /port 8082 is the api-2 copy's port on every node/],
    ['https://127.0.0.1:2377/dir', /port 2377 is the swarm manager's port/],
  ])('ACME directory %s is refused with a one-line PrerequisiteError', (directory, message) => {
    const call = () => requireFleetTools({ isRoot: true, acme: acme(directory), proxyPort: 80 });
    expect(call).toThrow(PrerequisiteError);
    expect(call).toThrow(message);
  });
});

describe('fleet file', () => {
  test('keeps the ACME directory port for the supervisor, which reconfigures the load balancer', () => {
    const stateDir = mkdtempSync(path.join(tmpdir(), 'fleet-file-'));
    try {
      writeFleet({ stateDir }, { nodes: 3, proxyPorts: [80, 8443], acmeDirectoryPort: 14000 });
      expect(readFleet({ stateDir })).toEqual({ nodes: 3, proxyPorts: [80, 8443], acmeDirectoryPort: 14000 });
      writeFleet({ stateDir }, { nodes: 3, proxyPorts: [80] });
      expect(readFleet({ stateDir })?.acmeDirectoryPort).toBeUndefined();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});

describe('ACME directory route in a node', () => {
  test('DNAT of its own 127.0.0.1:<port> to the host bridge address, source rewritten to the node address', () => {
    const [slot] = nodeSlots(2).slice(1);
    if (slot === undefined) throw new Error('no slot');
    const rules = directoryRouteRules(slot, 14000).map((r) => r.join(' '));
    expect(rules).toEqual([
      'OUTPUT -d 127.0.0.1/32 -p tcp --dport 14000 -j DNAT --to-destination 10.210.0.1:14000 -m comment --comment platform-rehearsal acme directory',
      'POSTROUTING -s 127.0.0.1/32 -d 10.210.0.1/32 -o eth0 -j SNAT --to-source 10.210.0.12 -m comment --comment platform-rehearsal acme directory',
    ]);
  });
});

describe('node layout', () => {
  test('node-<i> in netns platform-node-<i> at 10.210.0.1<i>, zones alternating a/b', () => {
    expect(nodeSlots(3)).toEqual([
      { index: 1, name: 'node-1', zone: 'zone-a', address: '10.210.0.11', netns: 'platform-node-1', hostLink: 'platform-n1' },
      { index: 2, name: 'node-2', zone: 'zone-b', address: '10.210.0.12', netns: 'platform-node-2', hostLink: 'platform-n2' },
      { index: 3, name: 'node-3', zone: 'zone-a', address: '10.210.0.13', netns: 'platform-node-3', hostLink: 'platform-n3' },
    ]);
    // Interface names fit the kernel's 15 characters, with the veth peer's temporary "p" suffix.
    for (const slot of nodeSlots(MAX_NODES)) expect(`${slot.hostLink}p`.length).toBeLessThanOrEqual(15);
  });
});

describe('stand-in load balancer', () => {
  test('TCP pass-through on 127.0.0.1 to every node, 1 s connect timeout, next upstream, passive health', () => {
    const config = loadBalancerConfig('/state/lb', [80, 443], nodeSlots(2));
    expect(config).toContain('load_module /usr/lib/nginx/modules/ngx_stream_module.so;');
    expect(config).toContain('stream {');
    expect(config).not.toContain('http {');
    for (const port of [80, 443]) {
      expect(config).toContain(`listen 127.0.0.1:${port};`);
      expect(config).toContain(`server 10.210.0.11:${port} max_fails=1 fail_timeout=3s;`);
      expect(config).toContain(`server 10.210.0.12:${port} max_fails=1 fail_timeout=3s;`);
    }
    expect(config.match(/proxy_connect_timeout 1s;/g)).toHaveLength(2);
    expect(config.match(/proxy_next_upstream on;/g)).toHaveLength(2);
    expect(config).toContain('pid /state/lb/nginx.pid;');
    expect(config).not.toContain('10.210.0.1:');
  });

  test('ACME mode: also the directory, from the bridge address to the host loopback', () => {
    const config = loadBalancerConfig('/state/lb', [80, 443], nodeSlots(2), new Set(), 14000);
    expect(config).toContain('listen 10.210.0.1:14000;');
    expect(config).toContain('proxy_pass 127.0.0.1:14000;');
    expect(config.match(/listen /g)).toHaveLength(3);
  });
});

describe('stack in fleet mode', () => {
  const single = stackFile({ images, proxyPort: 80 });
  const fleet = stackFile({ images, proxyPort: 80, fleet: { certificatesDir: '/state/fleet-acme' } });

  test('every service global on the workers; single node unchanged', () => {
    for (const copy of rehearsalCopies()) {
      expect(fleet.services[copy.name]?.deploy).toMatchObject({ mode: 'global', placement: { constraints: ['node.role == worker'] } });
      expect(fleet.services[copy.name]?.deploy).not.toHaveProperty('replicas');
      expect(single.services[copy.name]?.deploy).toMatchObject({ mode: 'replicated', replicas: 1 });
      expect(single.services[copy.name]?.deploy).not.toHaveProperty('placement');
    }
  });

  test('the proxy listens on every address of its node and mounts the shared directory; the copies stay on loopback', () => {
    expect(fleet.services.proxy?.environment.LISTEN_ADDRESS).toBe('0.0.0.0');
    expect(single.services.proxy?.environment.LISTEN_ADDRESS).toBe('127.0.0.1');
    expect(fleet.services.proxy?.volumes).toEqual(['/state/fleet-acme:/etc/acme']);
    expect(single.services.proxy?.volumes).toEqual(['acme:/etc/acme']);
    expect(fleet.volumes).toEqual({});
    expect(fleet.services.api?.environment.LISTEN_HOST).toBe('127.0.0.1');
    expect(fleet.services.proxy?.environment.API_UPSTREAM).toBe(single.services.proxy?.environment.API_UPSTREAM);
    expect(fleet.services.proxy?.healthcheck.test).toEqual(SERVICES.proxy.healthCheckCommand);
  });

  test('every proxy checks the shared certificate every 2 s and names its task; single node unchanged', () => {
    expect(fleet.services.proxy?.environment).toMatchObject({ CERT_CHECK_SECONDS: '2', TASK_ID: '{{.Task.ID}}' });
    for (const key of Object.keys(FLEET_PROXY_ENVIRONMENT)) expect(single.services.proxy?.environment).not.toHaveProperty(key);
  });
});

describe('outputs: nodes and nodeControl', () => {
  const base = {
    proxyPort: 80,
    ssh: { host: '127.0.0.1', port: 2222, user: 'root' },
    clusterId: 'abc',
    nodeId: 'def',
    dockerHost: 'unix:///var/lib/platform-rehearsal/docker.sock',
  };

  test('single node: neither field', () => {
    const outputs = localOutputsSchema.parse(localOutputs(base));
    expect(outputs).not.toHaveProperty('nodes');
    expect(outputs).not.toHaveProperty('nodeControl');
  });

  test('multi-node: validated by the contract', () => {
    const outputs = localOutputsSchema.parse(
      localOutputs({ ...base, nodes: nodeSlots(3), nodeControl: ['/work/repo/.rehearsal/node-control'] }),
    );
    expect(outputs.nodes).toEqual([
      { name: 'node-1', zone: 'zone-a', address: '10.210.0.11' },
      { name: 'node-2', zone: 'zone-b', address: '10.210.0.12' },
      { name: 'node-3', zone: 'zone-a', address: '10.210.0.13' },
    ]);
    expect(outputs.nodeControl).toEqual(['/work/repo/.rehearsal/node-control']);
  });

  test.each([
    ['a bad node name', { nodes: [{ name: 'node-10', zone: 'zone-a', address: '10.210.0.11' }] }],
    ['a zone not named zone-<letter>', { nodes: [{ name: 'node-1', zone: 'eu-west-1a', address: '10.210.0.11' }] }],
    ['an address that is not IPv4', { nodes: [{ name: 'node-1', zone: 'zone-a', address: 'node-1.local' }] }],
    ['no nodes', { nodes: [] }],
    ['an empty nodeControl', { nodeControl: [] }],
    ['a nodeControl word with a space', { nodeControl: ['/bin/node control'] }],
  ])('refused: %s', (_what, extra) => {
    expect(localOutputsSchema.safeParse({ ...localOutputs(base), ...extra }).success).toBe(false);
  });
});

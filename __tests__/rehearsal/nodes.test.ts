/**
 * The multi-node rehearsal's pure parts: the `--nodes` option, the node layout, the stand-in load
 * balancer's configuration, the stack in fleet mode, and the outputs contract's node fields.
 */
import { localOutputsSchema } from '../../contract/outputs';
import { SERVICES } from '../../contract/services';
import { loadBalancerConfig } from '../../rehearsal/load-balancer';
import { MAX_NODES, nodeSlots, parseNodesOption } from '../../rehearsal/nodes';
import { localOutputs } from '../../rehearsal/outputs';
import { PrerequisiteError } from '../../rehearsal/errors';
import { requireFleetTools } from '../../rehearsal/fleet';
import { rehearsalCopies, stackFile } from '../../rehearsal/stack-file';

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
  test('not root, or ACME mode: refused before anything starts', () => {
    expect(() => requireFleetTools({ isRoot: false, acme: undefined })).toThrow(/runs as root/);
    const acme = { domain: 'proxy.test', directory: 'https://127.0.0.1:14000/dir', email: 'ops@example.org', httpsPort: 443 };
    expect(() => requireFleetTools({ isRoot: true, acme } as never)).toThrow(
      /ACME mode \(REHEARSAL_DOMAIN\) is not supported with --nodes N > 1/,
    );
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

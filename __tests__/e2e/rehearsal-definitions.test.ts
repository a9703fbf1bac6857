/**
 * The rehearsal's definitions, without Docker: the swarm stack file matches the service contract
 * in contract/services.ts, the outputs match `PlatformOutputs`, base images are read from the
 * Dockerfiles, settings are validated. Fast; they run wherever the e2e suite runs.
 */
import * as path from 'node:path';
import { baseImagesOf } from '../../rehearsal/base-images';
import { PrerequisiteError } from '../../rehearsal/errors';
import { readDockerfiles } from '../../rehearsal/images';
import { localOutputs } from '../../rehearsal/outputs';
import { loadSettings } from '../../rehearsal/settings';
import { ACME_CA_LABEL, proxyHealthCheck, SPEC_LABEL, specDigest, stackFile, type StackInputs } from '../../rehearsal/stack-file';
import { proxySite, type StackAcme } from '../../rehearsal/acme';
import { platformOutputsSchema } from '../../contract/outputs';
import { CERTIFICATE_MOUNT_PATH, SERVICE_NAMES, SERVICES } from '../../contract/services';
import { REPO_ROOT } from './support/rehearsal-cli';

const image = (id: string) => ({ ref: 'platform/x:local', id: `sha256:${id}` });
const inputs: StackInputs = { images: { frontend: image('f'), api: image('a'), proxy: image('p') }, proxyPort: 80 };

describe('stack file', () => {
  const stack = stackFile(inputs);

  test.each(SERVICE_NAMES)('%s: the task definition health check, stop timeout and memory, restart any with no delay', (name) => {
    const service = stack.services[name];
    expect(service.healthcheck.test).toEqual(SERVICES[name].healthCheckCommand);
    expect(service.healthcheck.test[0]).toBe('CMD'); // exec form: the images have no shell
    expect(service.stop_grace_period).toBe(`${SERVICES[name].stopTimeoutSeconds}s`);
    expect(service.deploy.resources.limits.memory).toBe(`${SERVICES[name].defaultMemoryMiB}M`);
    // The task-level CPU limit as the same quota (256 units: 0.25 CPU); none where the task definition has none.
    const units = SERVICES[name].cpuLimitUnits;
    expect(service.deploy.resources.limits.cpus).toBe(units === undefined ? undefined : String(units / 1024));
    expect(service.deploy.restart_policy).toEqual({ condition: 'any', delay: '0s' });
    expect(service.networks).toEqual(['hostnet']);
    expect(service.labels['platform.service']).toBe(name);
    expect(service.deploy.labels['platform.service']).toBe(name);
  });

  test.each(SERVICE_NAMES)("%s: runs as the task definition's user, with its capabilities", (name) => {
    expect(stack.services[name].user).toBe(SERVICES[name].user);
    expect(stack.services[name].user).not.toMatch(/^(root|0)(:|$)/);
  });

  test('the proxy keeps NET_BIND_SERVICE alone, for the file capability of its nginx; the others keep the defaults', () => {
    expect(stack.services.proxy).toMatchObject({ user: '101:101', cap_add: ['NET_BIND_SERVICE'], cap_drop: ['ALL'] });
    expect(stack.services.api).not.toHaveProperty('cap_drop');
    expect(stack.services.frontend).not.toHaveProperty('cap_add');
  });

  test('host network, and the certificate volume at the proxy mount path', () => {
    expect(stack.networks.hostnet).toEqual({ external: true, name: 'host' });
    expect(stack.services.proxy.volumes).toEqual([`acme:${CERTIFICATE_MOUNT_PATH}`]);
    expect(stack.volumes.acme.name).toBe('platform-local-acme');
  });

  test('the proxy runs in plain-HTTP rehearsal mode on loopback, the api names its swarm task', () => {
    expect(stack.services.proxy.environment).toMatchObject({
      DOMAIN: '',
      HTTP_PORT: '80',
      LISTEN_ADDRESS: '127.0.0.1',
      API_UPSTREAM: '127.0.0.1:8080 127.0.0.1:8082',
      FRONTEND_UPSTREAM: '127.0.0.1:8081 127.0.0.1:8083',
    });
    expect(stack.services.api.environment).toMatchObject({ TASK_ID: '{{.Task.ID}}', LISTEN_HOST: '127.0.0.1' });
  });

  test('two copies of the api and of the frontend, one proxy: a swarm service per copy, each on its own port', () => {
    expect(Object.keys(stack.services).sort()).toEqual(['api', 'api-2', 'frontend', 'frontend-2', 'proxy']);
    expect(stack.services['api-2']?.environment).toMatchObject({ PORT: '8082', LISTEN_HOST: '127.0.0.1', TASK_ID: '{{.Task.ID}}' });
    expect(stack.services.api?.environment.PORT).toBe('8080');
    expect(stack.services['frontend-2']?.environment).toEqual({ PORT: '8083' });
    expect(stack.services['frontend-2']?.healthcheck.test).toEqual(['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:8083/healthz']);
    expect(stack.services['api-2']?.healthcheck.test).toEqual(SERVICES.api.healthCheckCommand);
    expect(stack.services['api-2']?.labels).toMatchObject({ 'platform.service': 'api', 'platform.copy': '2' });
    for (const entry of Object.values(stack.services)) {
      expect(entry.deploy.replicas).toBe(1);
      expect(entry.deploy.update_config).toEqual({ order: 'stop-first', parallelism: 1 });
    }
    const single = stackFile({ ...inputs, copies: { api: 1, frontend: 1 } });
    expect(Object.keys(single.services).sort()).toEqual(['api', 'frontend', 'proxy']);
    expect(single.services.proxy?.environment).toMatchObject({ API_UPSTREAM: '127.0.0.1:8080', FRONTEND_UPSTREAM: '127.0.0.1:8081' });
    expect(() => stackFile({ ...inputs, copies: { api: 3 } })).toThrow('api has 2 copy port(s): 3 copies cannot run');
  });

  test.each([
    [80, 'http://127.0.0.1:80/healthz'],
    [8088, 'http://127.0.0.1:8088/healthz'],
  ])('proxy port %d: health check URL %s', (port, url) => {
    expect(proxyHealthCheck(port)).toEqual(['CMD', '/usr/local/bin/healthcheck', url]);
    expect(stackFile({ ...inputs, proxyPort: port }).services.proxy.environment.HTTP_PORT).toBe(String(port));
  });

  test('the spec digest is stable for the same inputs and changes with a rebuilt image', () => {
    const again = stackFile(inputs);
    const rebuilt = stackFile({ ...inputs, images: { ...inputs.images, api: image('b') } });
    expect(again.services.api.labels[SPEC_LABEL]).toBe(stack.services.api.labels[SPEC_LABEL]);
    expect(rebuilt.services.api.labels[SPEC_LABEL]).not.toBe(stack.services.api.labels[SPEC_LABEL]);
    expect(rebuilt.services.frontend.labels[SPEC_LABEL]).toBe(stack.services.frontend.labels[SPEC_LABEL]);
    expect(specDigest(stack.services.api)).toBe(stack.services.api.labels[SPEC_LABEL]);
  });
});

describe('stack file, proxy in ACME mode', () => {
  const acme: StackAcme = {
    domain: 'proxy.pebble.test',
    directory: 'https://127.0.0.1:14000/dir',
    email: 'ops@example.org',
    httpsPort: 8443,
    ca: { hostPath: '/repo/.rehearsal/acme/acme-ca.pem', digest: 'abc123' },
  };
  const plain = stackFile(inputs);
  const stack = stackFile({ ...inputs, acme });

  test('the proxy gets the domain, the directory, an account contact, its HTTPS port and the CA for lego', () => {
    expect(stack.services.proxy.environment).toMatchObject({
      DOMAIN: 'proxy.pebble.test',
      ACME_DIRECTORY: 'https://127.0.0.1:14000/dir',
      ACME_EMAIL: 'ops@example.org',
      ACME_RETRY_SECONDS: '2',
      ACME_RETRY_MAX_SECONDS: '8',
      HTTPS_PORT: '8443',
      LEGO_CA_CERTIFICATES: '/etc/proxy/acme-ca.pem',
      LISTEN_ADDRESS: '127.0.0.1',
    });
    expect(stack.services.proxy.volumes).toEqual([
      `acme:${CERTIFICATE_MOUNT_PATH}`,
      '/repo/.rehearsal/acme/acme-ca.pem:/etc/proxy/acme-ca.pem:ro',
    ]);
    expect(stack.services.proxy.labels[ACME_CA_LABEL]).toBe('abc123');
  });

  test('only the proxy changes; a new CA replaces its task (the mounted file is not in the spec otherwise)', () => {
    expect(stack.services.api).toEqual(plain.services.api);
    expect(stack.services.frontend).toEqual(plain.services.frontend);
    expect(stack.services.proxy.labels[SPEC_LABEL]).not.toBe(plain.services.proxy.labels[SPEC_LABEL]);
    const newCa = stackFile({ ...inputs, acme: { ...acme, ca: { hostPath: acme.ca?.hostPath ?? '', digest: 'def456' } } });
    expect(newCa.services.proxy.labels[SPEC_LABEL]).not.toBe(stack.services.proxy.labels[SPEC_LABEL]);
  });

  test('without a CA file: no mount, no LEGO_CA_CERTIFICATES', () => {
    const noCa = stackFile({ ...inputs, acme: { ...acme, ca: undefined } });
    expect(noCa.services.proxy.volumes).toEqual([`acme:${CERTIFICATE_MOUNT_PATH}`]);
    expect(noCa.services.proxy.environment).not.toHaveProperty('LEGO_CA_CERTIFICATES');
  });

  test('up checks the site over HTTPS with the domain as SNI in ACME mode, over HTTP otherwise', () => {
    expect(proxySite(80, undefined)).toEqual({ base: 'http://127.0.0.1:80', servername: undefined });
    expect(proxySite(80, { domain: 'proxy.pebble.test', httpsPort: 8443 })).toEqual({
      base: 'https://127.0.0.1:8443',
      servername: 'proxy.pebble.test',
    });
  });
});

describe('outputs', () => {
  test.each([80, 8088])('proxy port %d: valid PlatformOutputs, target local, loopback URL', (proxyPort) => {
    const outputs = localOutputs({
      proxyPort,
      ssh: { host: '127.0.0.1', port: 2222, user: 'root' },
      clusterId: 'c1',
      nodeId: 'n1',
      dockerHost: null,
    });
    expect(platformOutputsSchema.parse(outputs)).toEqual(outputs);
    expect(outputs).toMatchObject({
      target: 'local',
      publicUrl: `http://127.0.0.1:${proxyPort}`,
      certificateVolume: 'platform-local-acme',
    });
    expect(outputs.services.proxy.port).toBe(proxyPort);
    for (const name of SERVICE_NAMES) {
      expect(outputs.services[name]).toMatchObject({
        serviceName: `platform-local_${name}`,
        containerName: SERVICES[name].containerName,
        healthPath: SERVICES[name].healthPath,
      });
    }
  });
});

describe('base images from the Dockerfiles', () => {
  test.each([
    ['FROM golang:1.22-bookworm AS build\nFROM scratch\nCOPY --from=build /a /a', ['golang:1.22-bookworm']],
    [
      'FROM golang:1.22-bookworm AS build\nFROM debian:bookworm-slim\nCOPY --from=build /a /a',
      ['golang:1.22-bookworm', 'debian:bookworm-slim'],
    ],
    ['from --platform=linux/amd64 debian:bookworm-slim as base\nFROM base\nFROM base AS two', ['debian:bookworm-slim']],
    ['# FROM nginx:1.25\nFROM scratch', []],
  ])('%j -> %j', (dockerfile, bases) => {
    expect(baseImagesOf(dockerfile)).toEqual(bases);
  });

  test('the three Dockerfiles need only the bases the rehearsal can stand in for', () => {
    const dockerfiles = readDockerfiles({ dockerDir: path.join(REPO_ROOT, 'docker') });
    const bases = new Set(SERVICE_NAMES.flatMap((s) => baseImagesOf(dockerfiles[s])));
    expect([...bases].sort()).toEqual(['debian:bookworm-slim', 'golang:1.22-bookworm']);
    // A `# syntax=` line makes BuildKit fetch a frontend image from Docker Hub.
    for (const service of SERVICE_NAMES) expect(dockerfiles[service]).not.toMatch(/^#\s*syntax=/m);
  });
});

describe('settings', () => {
  test.each([
    [{ REHEARSAL_PROXY_PORT: '0' }, /REHEARSAL_PROXY_PORT must be a TCP port/],
    [{ REHEARSAL_SSH_PORT: 'ssh' }, /REHEARSAL_SSH_PORT must be a TCP port/],
    [{ REHEARSAL_STATE_DIR: `/tmp/${'x'.repeat(120)}` }, /too long for a unix socket/],
    [{ REHEARSAL_HTTPS_PORT: '70000' }, /REHEARSAL_HTTPS_PORT must be a TCP port/],
    [{ REHEARSAL_DOMAIN: 'proxy.pebble.test' }, /REHEARSAL_DOMAIN needs REHEARSAL_ACME_DIRECTORY/],
    [
      { REHEARSAL_DOMAIN: 'proxy.pebble.test', REHEARSAL_ACME_DIRECTORY: 'https://acme-staging-v02.api.letsencrypt.org/directory' },
      /must be an https URL on loopback/,
    ],
    [{ REHEARSAL_DOMAIN: 'proxy.pebble.test', REHEARSAL_ACME_DIRECTORY: 'http://127.0.0.1:14000/dir' }, /must be an https URL on loopback/],
    [{ REHEARSAL_DOMAIN: 'bad domain;', REHEARSAL_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir' }, /REHEARSAL_DOMAIN must be a host name/],
    [
      {
        REHEARSAL_DOMAIN: 'proxy.pebble.test',
        REHEARSAL_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir',
        REHEARSAL_ACME_CA: '/no/such/ca.pem',
      },
      /REHEARSAL_ACME_CA \/no\/such\/ca.pem does not exist/,
    ],
    [{ REHEARSAL_ACME_DIRECTORY: 'https://127.0.0.1:14000/dir' }, /REHEARSAL_ACME_DIRECTORY is set but REHEARSAL_DOMAIN is not/],
  ])('%j is refused', (env, message) => {
    expect(() => loadSettings(REPO_ROOT, env)).toThrow(PrerequisiteError);
    expect(() => loadSettings(REPO_ROOT, env)).toThrow(message);
  });

  test('defaults: proxy on 80, sshd on 2222, outputs under .rehearsal/, plain HTTP', () => {
    const settings = loadSettings(REPO_ROOT, {});
    expect(settings).toMatchObject({ proxyPort: 80, sshPort: 2222, rehearsalDir: path.join(REPO_ROOT, '.rehearsal'), acme: undefined });
    expect(loadSettings(REPO_ROOT, { REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '' }).acme).toBeUndefined();
  });

  test('ACME mode: a domain and a directory on loopback; the HTTPS port 443 and a contact by default', () => {
    const ca = path.join(REPO_ROOT, 'package.json'); // any existing file: only its existence is checked here
    const settings = loadSettings(REPO_ROOT, {
      REHEARSAL_DOMAIN: 'proxy.pebble.test',
      REHEARSAL_ACME_DIRECTORY: 'https://localhost:14000/dir',
      REHEARSAL_ACME_CA: ca,
    });
    expect(settings.acme).toEqual({
      domain: 'proxy.pebble.test',
      directory: 'https://localhost:14000/dir',
      email: 'ops@example.org',
      httpsPort: 443,
      caFile: ca,
    });
  });
});

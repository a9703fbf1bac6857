import { createHash } from 'node:crypto';
import {
  CERTIFICATE_MOUNT_PATH,
  copyHealthCheckCommand,
  SERVICE_NAMES,
  SERVICES,
  serviceCopies,
  type ServiceCopy,
  type ServiceName,
} from '../contract/services';
import { ACME_CA_MOUNT_PATH, type StackAcme } from './acme';
import { CERTIFICATE_VOLUME } from './settings';

/**
 * The rehearsal's swarm stack as a compose file (version 3.8, what `docker stack deploy` reads).
 * A stack file rather than `docker service create` flags because the CLI's `--health-cmd` always
 * wraps the command in a shell (`CMD-SHELL`) and the images have none; the compose format carries
 * the exec form the task definitions use. `docker stack deploy` also updates in place, so a second
 * `up` with nothing changed touches no running task.
 */

/** The subset of the compose format the rehearsal writes. */
export interface StackFile {
  readonly version: '3.8';
  /** One swarm service per copy, keyed by the copy's name (`api`, `api-2`, …: contract/services.ts). */
  readonly services: Readonly<Record<string, StackService>>;
  readonly networks: Readonly<Record<string, { readonly external: true; readonly name: string }>>;
  readonly volumes: Readonly<Record<string, { readonly name: string }>>;
}

interface StackService {
  readonly image: string;
  /** `uid:gid`, as the task definition's `user`. */
  readonly user: string;
  /** As the task definition's `linuxParameters.capabilities` (`docker stack deploy` applies them since 20.10). */
  readonly cap_add?: readonly string[];
  readonly cap_drop?: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly networks: readonly string[];
  readonly volumes?: readonly string[];
  readonly healthcheck: {
    readonly test: readonly string[];
    readonly interval: string;
    readonly timeout: string;
    readonly retries: number;
    readonly start_period: string;
  };
  readonly stop_grace_period: string;
  /** Container labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly deploy: {
    /** `global` in the multi-node rehearsal: one task per node, as an ECS DAEMON service. */
    readonly mode: 'replicated' | 'global';
    readonly replicas?: number;
    /** Multi-node: workers only (the manager is drained anyway: the control plane runs no task). */
    readonly placement?: { readonly constraints: readonly string[] };
    /** Service labels. */
    readonly labels: Readonly<Record<string, string>>;
    readonly restart_policy: { readonly condition: 'any'; readonly delay: string };
    readonly update_config: { readonly order: 'stop-first'; readonly parallelism: 1 };
    /** `cpus`: the task definition's task-level CPU limit as a CFS quota on the container (contract/services.ts). */
    readonly resources: { readonly limits: { readonly memory: string; readonly cpus?: string } };
  };
}

/** What the stack file is made from. */
export interface StackInputs {
  /** Image reference and id per service (the id pins the spec to the build, see below). */
  readonly images: Readonly<Record<ServiceName, { readonly ref: string; readonly id: string }>>;
  /** Port the proxy listens on. */
  readonly proxyPort: number;
  /** The proxy's ACME mode (a domain and a CA on loopback); absent: plain HTTP, no certificate. */
  readonly acme?: StackAcme;
  /** Copies per service; absent: each service's default (contract/services.ts). */
  readonly copies?: Partial<Readonly<Record<ServiceName, number>>>;
  /**
   * The multi-node rehearsal (`--nodes N`, N > 1): every service `global` (proxy and every copy on
   * every node), the proxy listening on every address of its node (the stand-in load balancer
   * reaches it at the node's address, its health check at 127.0.0.1), and the certificate
   * directory shared by all nodes bind-mounted at /etc/acme (the EFS stand-in).
   */
  readonly fleet?: { readonly certificatesDir: string };
}

/** The copies the rehearsal runs, service by service, copy 1 first. */
export function rehearsalCopies(copies: StackInputs['copies'] = {}): readonly ServiceCopy[] {
  return SERVICE_NAMES.flatMap((service) => serviceCopies(service, copies[service] ?? SERVICES[service].defaultCopies));
}

/** `127.0.0.1:<port>` of each copy, space-separated: the proxy's upstream list (docker/proxy/entrypoint.sh). */
export function upstreamList(service: ServiceName, copies: StackInputs['copies'] = {}): string {
  return rehearsalCopies(copies)
    .filter((c) => c.service === service)
    .map((c) => `127.0.0.1:${c.port}`)
    .join(' ');
}

/** Label on every service and container: `docker ps --filter label=platform.service=api` is exact. */
const SERVICE_LABEL = 'platform.service';
/** Label on every container: which copy of its service it is (1, 2, …). */
export const COPY_LABEL = 'platform.copy';
/** Container label holding the image id the task runs. */
const IMAGE_ID_LABEL = 'platform.image-id';
/**
 * Container label holding a digest of the service's entry in the stack file: a container that
 * carries the current digest runs the current spec. `docker stack deploy` returns before swarm
 * has replaced anything, and during the replacement the old task still counts as 1/1.
 */
export const SPEC_LABEL = 'platform.spec';
/**
 * Container label holding a digest of the ACME CA file the proxy trusts: the file is bind-mounted,
 * so its content is not in the spec otherwise, and a new CA (a new Pebble) must replace the task.
 */
export const ACME_CA_LABEL = 'platform.acme-ca';
/** The compose network name that stands for the host network. */
const HOST_NETWORK = 'hostnet';

/**
 * Health check timing. The command is the task definition's; the interval is shorter than ECS's
 * 10 s because swarm counts a task with a health check as running only once it is healthy (ECS's
 * runningCount does not wait), so a 10 s interval would add up to 10 s to every recovery the
 * orchestrator reports. Docker 20.10 has no separate start interval.
 */
const HEALTH = { interval: '2s', timeout: '3s', retries: 3, start_period: '10s' } as const;

/** The proxy's health check command for the port it listens on in the rehearsal. */
export function proxyHealthCheck(proxyPort: number): readonly string[] {
  if (proxyPort === SERVICES.proxy.port) return SERVICES.proxy.healthCheckCommand;
  return SERVICES.proxy.healthCheckCommand.map((word) => {
    if (!/^https?:\/\//.test(word)) return word;
    const url = new URL(word);
    url.port = String(proxyPort);
    return url.toString();
  });
}

function environment(copy: ServiceCopy, inputs: StackInputs): Readonly<Record<string, string>> {
  switch (copy.service) {
    case 'api':
      return {
        PORT: String(copy.port),
        // Loopback only: the proxy is the way in, as on the instance (where the security group is).
        LISTEN_HOST: '127.0.0.1',
        // Swarm expands the template per task: /api/status then names the task that answers.
        TASK_ID: '{{.Task.ID}}',
      };
    case 'frontend':
      return { PORT: String(copy.port) };
    case 'proxy':
      return {
        // No domain: plain HTTP, no ACME (the entry point's rehearsal mode).
        DOMAIN: '',
        HTTP_PORT: String(inputs.proxyPort),
        LISTEN_ADDRESS: inputs.fleet === undefined ? '127.0.0.1' : '0.0.0.0',
        API_UPSTREAM: upstreamList('api', inputs.copies),
        FRONTEND_UPSTREAM: upstreamList('frontend', inputs.copies),
        ...acmeEnvironment(inputs.acme),
        ...(inputs.fleet === undefined ? {} : FLEET_PROXY_ENVIRONMENT),
      };
  }
}

/**
 * The multi-node rehearsal's proxies share one certificate directory: each compares the
 * certificate there with the one it serves every 2 s (EC2's default is 60 s), so one that another
 * proxy renewed is served within seconds; and each names its swarm task in the ACME lock's owner.
 */
export const FLEET_PROXY_ENVIRONMENT = { CERT_CHECK_SECONDS: '2', TASK_ID: '{{.Task.ID}}' } as const;

/** The backoff of the proxy's failed ACME rounds in the rehearsal: 2, 4, 8, 8 … s. */
export const ACME_RETRY = { firstSeconds: 2, maxSeconds: 8 } as const;

/** The proxy's ACME settings, as on EC2 but with a CA on loopback (docker/proxy/entrypoint.sh reads them). */
function acmeEnvironment(acme: StackAcme | undefined): Readonly<Record<string, string>> {
  if (acme === undefined) return {};
  return {
    DOMAIN: acme.domain,
    ACME_EMAIL: acme.email,
    ACME_DIRECTORY: acme.directory,
    HTTPS_PORT: String(acme.httpsPort),
    // Seconds, not EC2's 15 minutes to 4 hours: a CA on loopback has no rate limit, and an
    // outage rehearsed (chaos/experiments/acme-outage.yaml) is retried while the run waits.
    ACME_RETRY_SECONDS: String(ACME_RETRY.firstSeconds),
    ACME_RETRY_MAX_SECONDS: String(ACME_RETRY.maxSeconds),
    // lego's own variable: the roots it trusts for the ACME server's HTTPS.
    ...(acme.ca === undefined ? {} : { LEGO_CA_CERTIFICATES: ACME_CA_MOUNT_PATH }),
  };
}

function proxyVolumes(acme: StackAcme | undefined, fleet: StackInputs['fleet']): readonly string[] {
  const certificates = `${fleet === undefined ? 'acme' : fleet.certificatesDir}:${CERTIFICATE_MOUNT_PATH}`;
  return acme?.ca === undefined ? [certificates] : [certificates, `${acme.ca.hostPath}:${ACME_CA_MOUNT_PATH}:ro`];
}

/** The digest {@link SPEC_LABEL} carries: of the entry as written, without the label itself. */
export function specDigest(entry: StackService): string {
  const { [SPEC_LABEL]: _ignored, ...labels } = entry.labels;
  return createHash('sha256')
    .update(JSON.stringify({ ...entry, labels }))
    .digest('hex')
    .slice(0, 16);
}

function withSpecLabel(entry: StackService): StackService {
  return { ...entry, labels: { ...entry.labels, [SPEC_LABEL]: specDigest(entry) } };
}

function stackService(copy: ServiceCopy, inputs: StackInputs): StackService {
  const service = copy.service;
  const spec = SERVICES[service];
  const image = inputs.images[service];
  return {
    image: image.ref,
    user: spec.user,
    ...(spec.capabilities === undefined ? {} : { cap_add: spec.capabilities.add, cap_drop: spec.capabilities.drop }),
    environment: environment(copy, inputs),
    // Host networking, as the ECS tasks: each container listens on its own port of the host and
    // the proxy reaches the others at 127.0.0.1 (this kernel has no IPVS for swarm's VIPs anyway).
    networks: [HOST_NETWORK],
    ...(service === 'proxy' ? { volumes: proxyVolumes(inputs.acme, inputs.fleet) } : {}),
    healthcheck: {
      test: service === 'proxy' ? proxyHealthCheck(inputs.proxyPort) : copyHealthCheckCommand(service, copy.port),
      ...HEALTH,
    },
    stop_grace_period: `${spec.stopTimeoutSeconds}s`,
    // The image id makes a rebuilt image a changed spec, so `up` replaces the task; the same id
    // leaves it running. (The tag alone would not: swarm never re-resolves a local tag.)
    labels: {
      [SERVICE_LABEL]: service,
      [COPY_LABEL]: String(copy.copy),
      [IMAGE_ID_LABEL]: image.id,
      ...(service === 'proxy' && inputs.acme?.ca !== undefined ? { [ACME_CA_LABEL]: inputs.acme.ca.digest } : {}),
    },
    deploy: {
      ...(inputs.fleet === undefined
        ? { mode: 'replicated' as const, replicas: 1 }
        : { mode: 'global' as const, placement: { constraints: ['node.role == worker'] } }),
      labels: { [SERVICE_LABEL]: service },
      // `any`: with `on-failure` a gracefully stopped task (exit 0) would never be replaced. No
      // delay: the default 5 s would be most of every measured time-to-recover.
      restart_policy: { condition: 'any', delay: '0s' },
      // Host ports: a new task can only start once the old one has let go of the port. The other
      // copies are other services, so they keep serving while this one is replaced.
      update_config: { order: 'stop-first', parallelism: 1 },
      resources: {
        limits: {
          memory: `${spec.defaultMemoryMiB}M`,
          ...(spec.cpuLimitUnits === undefined ? {} : { cpus: String(spec.cpuLimitUnits / 1024) }),
        },
      },
    },
  };
}

/** The stack file for these images and ports. */
export function stackFile(inputs: StackInputs): StackFile {
  return {
    version: '3.8',
    services: Object.fromEntries(rehearsalCopies(inputs.copies).map((copy) => [copy.name, withSpecLabel(stackService(copy, inputs))])),
    networks: { [HOST_NETWORK]: { external: true, name: 'host' } },
    // Multi-node: the certificates are a host directory bind-mounted on every node, no named volume.
    volumes: inputs.fleet === undefined ? { acme: { name: CERTIFICATE_VOLUME } } : {},
  };
}

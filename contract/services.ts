/**
 * The three services of the platform and the facts about them that every part of the project
 * shares: the stack (task definitions), the images (ports they listen on, health endpoints), the
 * local rehearsal (swarm services) and the chaos module (through the stack outputs).
 *
 * Networking is `host` mode everywhere (ECS and the local swarm): the three containers share the
 * instance's network namespace, so each listens on its own fixed port and the proxy reaches the
 * others at 127.0.0.1:<port>. The proxy configuration is therefore identical on EC2 and locally.
 */
export const SERVICE_NAMES = ['frontend', 'api', 'proxy'] as const;

/** One of the platform's three services. */
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** What the platform knows about one service, independent of where it runs. */
export interface ServiceSpec {
  /** Container name in the task definition (and swarm service suffix locally). */
  readonly containerName: string;
  /** Port the container listens on in the host network namespace. */
  readonly port: number;
  /** HTTP path answered by the container itself when it is alive. */
  readonly healthPath: string;
  /** Exec-form health check command (images have no shell). */
  readonly healthCheckCommand: readonly string[];
  /** Seconds the container gets between SIGTERM and SIGKILL. */
  readonly stopTimeoutSeconds: number;
  /** Hard memory limit (MiB) used when the config gives none. */
  readonly defaultMemoryMiB: number;
}

/** The platform's services. Ports are the contract between the images and the proxy config. */
export const SERVICES: Readonly<Record<ServiceName, ServiceSpec>> = {
  frontend: {
    containerName: 'frontend',
    port: 8081,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:8081/healthz'],
    stopTimeoutSeconds: 10,
    defaultMemoryMiB: 64,
  },
  api: {
    containerName: 'api',
    port: 8080,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/api', 'healthcheck'],
    stopTimeoutSeconds: 10,
    defaultMemoryMiB: 128,
  },
  proxy: {
    containerName: 'proxy',
    port: 80,
    healthPath: '/healthz',
    healthCheckCommand: ['CMD', '/usr/local/bin/healthcheck', 'http://127.0.0.1:80/healthz'],
    stopTimeoutSeconds: 15,
    defaultMemoryMiB: 128,
  },
};

/** HTTPS port of the proxy (only served once a domain is configured). */
export const PROXY_HTTPS_PORT = 443;

/** Where the proxy keeps the ACME account and certificates inside its container. */
export const CERTIFICATE_MOUNT_PATH = '/etc/acme';

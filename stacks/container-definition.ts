import { Fn } from 'cdktf';
import type { LinuxCapabilities } from '../contract/services';

/** An exec-form container health check (the images have no shell). */
export interface HealthCheckSpec {
  readonly command: readonly string[];
  /** @default 10 */
  readonly intervalSeconds?: number;
  /** @default 3 */
  readonly timeoutSeconds?: number;
  /** @default 3 */
  readonly retries?: number;
  /** @default 10 */
  readonly startPeriodSeconds?: number;
}

/**
 * ECS's container restart policy: restarts an exited container inside its task without waiting for
 * the service scheduler (the path a `docker stop` on the host takes). A container must have run for
 * `attemptPeriodSeconds` (60-1800) before ECS restarts it again, so a crash loop still ends the task
 * and the scheduler takes over.
 */
export interface RestartPolicySpec {
  readonly enabled: boolean;
  readonly ignoredExitCodes?: readonly number[];
  readonly attemptPeriodSeconds?: number;
}

/** The subset of an ECS container definition this platform uses, typed. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  /** Hard memory limit in MiB. */
  readonly memoryMiB: number;
  /**
   * CPU units (1024 = one vCPU): the container's relative weight (ECS `cpu`, cpu.shares on EC2),
   * and, through `PlatformService`, the task-level `cpu`, which ECS on EC2 enforces as a hard quota.
   * @default none (no weight beyond Docker's default, no quota)
   */
  readonly cpuUnits?: number;
  /** Ports opened in the host's network namespace (host network mode: host port = container port). */
  readonly ports: readonly number[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly healthCheck?: HealthCheckSpec;
  readonly stopTimeoutSeconds?: number;
  readonly restartPolicy?: RestartPolicySpec;
  readonly readonlyRootFilesystem?: boolean;
  /** Writable in-memory mounts, for a read-only root file system. */
  readonly tmpfs?: readonly { readonly path: string; readonly sizeMiB: number }[];
  readonly user?: string;
  /** Kernel capabilities kept (ECS `linuxParameters.capabilities`); absent: Docker's defaults. */
  readonly capabilities?: LinuxCapabilities;
  readonly mountPoints?: readonly { readonly volume: string; readonly path: string; readonly readOnly?: boolean }[];
  /** CloudWatch Logs group, region and stream prefix for the awslogs driver. */
  readonly logs: { readonly group: string; readonly region: string; readonly streamPrefix: string };
}

/** ECS's JSON shape, produced only here. Undefined fields are dropped. */
export function toEcsContainerDefinition(spec: ContainerSpec): Record<string, unknown> {
  const definition: Record<string, unknown> = {
    name: spec.name,
    image: spec.image,
    essential: true,
    memory: spec.memoryMiB,
    cpu: spec.cpuUnits,
    portMappings: spec.ports.map((port) => ({ containerPort: port, hostPort: port, protocol: 'tcp' })),
    environment: spec.environment
      ? Object.entries(spec.environment)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, value]) => ({ name, value }))
      : undefined,
    healthCheck: spec.healthCheck && {
      command: [...spec.healthCheck.command],
      interval: spec.healthCheck.intervalSeconds ?? 10,
      timeout: spec.healthCheck.timeoutSeconds ?? 3,
      retries: spec.healthCheck.retries ?? 3,
      startPeriod: spec.healthCheck.startPeriodSeconds ?? 10,
    },
    stopTimeout: spec.stopTimeoutSeconds,
    restartPolicy: spec.restartPolicy && {
      enabled: spec.restartPolicy.enabled,
      ignoredExitCodes: spec.restartPolicy.ignoredExitCodes ? [...spec.restartPolicy.ignoredExitCodes] : undefined,
      restartAttemptPeriod: spec.restartPolicy.attemptPeriodSeconds,
    },
    readonlyRootFilesystem: spec.readonlyRootFilesystem,
    privileged: false,
    user: spec.user,
    linuxParameters:
      spec.tmpfs === undefined && spec.capabilities === undefined
        ? undefined
        : {
            capabilities: spec.capabilities && { add: [...spec.capabilities.add], drop: [...spec.capabilities.drop] },
            tmpfs: spec.tmpfs?.map((t) => ({ containerPath: t.path, size: t.sizeMiB })),
          },
    mountPoints: spec.mountPoints?.map((m) => ({
      sourceVolume: m.volume,
      containerPath: m.path,
      readOnly: m.readOnly ?? false,
    })),
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': spec.logs.group,
        'awslogs-region': spec.logs.region,
        'awslogs-stream-prefix': spec.logs.streamPrefix,
        // A slow CloudWatch must never block the application's writes to stdout.
        mode: 'non-blocking',
        'max-buffer-size': '4m',
      },
    },
  };
  return dropUndefined(definition);
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    out[key] = v !== null && typeof v === 'object' && !Array.isArray(v) ? dropUndefined(v as Record<string, unknown>) : v;
  }
  return out;
}

/**
 * The `container_definitions` argument: encoded once, with `Fn.jsonencode`, because values hold tokens
 * (the image URL, the log group) and `JSON.stringify` around a token breaks `cdktf synth --hcl`.
 */
export function containerDefinitions(specs: readonly ContainerSpec[]): string {
  return Fn.jsonencode(specs.map(toEcsContainerDefinition));
}

import type { Duplex } from 'node:stream';
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { JsonObject } from '../../contract/json';
import type { ServiceName } from '../../contract/services';
import type { DriverContext, FaultId } from './types';

/**
 * The ports: what fault modules need from the platform, independent of where it runs. Each target
 * offers one adapter per port it can serve (`chaos/targets/bind-target.ts`, the one file that
 * decides); a fault declares the ports it uses and is refused at bind time where one is missing.
 */

/** A stop of one task, as the orchestrator's StopTask. */
export interface StopTaskRequest {
  readonly fault: FaultId;
  readonly service: ServiceName;
  /** The orchestrator's id of the task to stop; absent: a running one at random. */
  readonly task?: string | undefined;
  /** Why, recorded by the orchestrator where it can and in the journal. */
  readonly reason: string;
}

/**
 * How the host restarts the container runtime the orchestrator runs on: the words to run there
 * (printing the daemon's pid and start time before and after, contract/runtime-restart.ts), or
 * why it cannot.
 */
export type RuntimeRestartCommand =
  { readonly ok: true; readonly words: readonly string[]; readonly what: string } | { readonly ok: false; readonly refused: string };

/** The orchestrator keeping the services running: ECS on AWS, swarm in the rehearsal. */
export interface Orchestrator {
  readonly name: 'ecs' | 'swarm';
  /** One line each for `--dry-run`, saying exactly what the operation would do here. */
  describeStopTask(service: ServiceName, reason: string, task?: string): string;
  describeServiceStable(service: ServiceName, stoppedTask?: string): string;
  describeServiceEvents(service: ServiceName, limit: number): string;
  /**
   * The running tasks a stop would pick from, read-only, for `--dry-run --live`; absent where the
   * adapter has no read-only way to say (the swarm's tasks are seen only by the stop itself).
   */
  runningTasks?(signal: AbortSignal, service: ServiceName): Promise<readonly string[]>;
  /** Stops one running task of the service and records it in the run's fault record. */
  stopTask(ctx: DriverContext, request: StopTaskRequest): Promise<JsonObject>;
  /**
   * running = desired with nothing pending and, once this run stopped one of the service's tasks
   * (or `stoppedTask`), proof that it is gone and another runs. Reports `stable: true|false`.
   */
  serviceStable(ctx: DriverContext, service: ServiceName, stoppedTask?: string): Promise<JsonObject>;
  /**
   * Rolls a new image tag over the service's copies one at a time, each healthy on it (and
   * settled) before the next goes; `images` instead names the image per copy service (the
   * rollback). Absent where the adapter has none (on ECS Terraform rolls the copies: copy 2 waits
   * for copy 1's steady state).
   */
  rollingUpdate?(
    ctx: DriverContext,
    service: ServiceName,
    options: {
      readonly tag: string;
      readonly timeoutSeconds: number;
      readonly settleSeconds: number;
      readonly images?: Readonly<Record<string, string>>;
    },
  ): Promise<JsonObject>;
  /** The service's recent events (or what stands for them), newest first. */
  serviceEvents(ctx: DriverContext, service: ServiceName, limit: number): Promise<JsonObject>;
  /**
   * The `docker ps --filter label=` values that pick exactly the service's containers on a host
   * (each value checked, since they reach a remote shell).
   */
  containerLabels(service: ServiceName): readonly string[];
  /** The command restarting the container runtime on the host (systemd's docker.service, the rehearsal's own dockerd). */
  runtimeRestart(): RuntimeRestartCommand;
}

/** What a host command did. */
export interface HostCommandResult {
  /** The line sent (every word quoted), for the journal. */
  readonly command: string;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Commands on the instance the services run on: what every host access offers a fault. */
export interface HostCommands {
  /** Runs one command made of words; each is quoted, none is interpreted by the remote shell. */
  exec(words: readonly string[]): Promise<HostCommandResult>;
}

/**
 * The SSH adapter's session (`adapters/ssh/ssh-session.ts` builds it): commands, and TCP streams to
 * the host's loopback. Faults are given only `HostCommands` and `HostAccess.httpGet`, because SSM
 * forwards no port without the session-manager plugin.
 */
export interface HostSession extends HostCommands {
  /** A TCP stream to `127.0.0.1:port` on the host. */
  forwardToLocalPort(port: number): Promise<Duplex>;
}

/** How a host fault asks to be connected; adapters that need none of it ignore it. */
export interface HostAccessOptions {
  readonly privateKey?: string | undefined;
  readonly knownHosts?: string | undefined;
  readonly hostKeyFingerprint?: string | undefined;
  readonly connectTimeoutMs: number;
}

/** A GET of `http://127.0.0.1:<port><path>` made on the host itself. */
export interface HostHttpRequest {
  readonly port: number;
  /** Starts with `/`, printable ASCII only (checked by the fault's arguments). */
  readonly path: string;
  readonly timeoutMs: number;
}

/** What the host's own service answered; the body cut at `HOST_HTTP_MAX_BODY_BYTES`. */
export interface HostHttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** Bodies are kept for the `instance` check only, so a huge answer is cut rather than held whole. */
export const HOST_HTTP_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Running commands on the instance, as an operator would: over SSH (the rehearsal, and deployments
 * that open port 22) or over SSM Run Command (the default deployment, which opens none).
 */
export interface HostAccess {
  readonly name: 'ssh' | 'ssm';
  /** Where commands run (`user@host:port`, or the cluster's container instance), for messages and dry runs. */
  readonly where: string;
  /** The host as the outputs name it, for the blast-radius guard. */
  readonly host: string;
  /**
   * Which machine a session would reach right now, read-only, for `--dry-run --live`; absent where
   * `where` already names it (SSH to the outputs' host).
   */
  resolveWhere?(signal: AbortSignal): Promise<string>;
  /** Opens a session, runs `fn` with it and always closes it. */
  withSession<T>(options: HostAccessOptions, signal: AbortSignal, fn: (session: HostCommands) => Promise<T>): Promise<T>;
  /**
   * GETs a service on the host's loopback: through a forwarded SSH stream, or with curl run on the
   * host over SSM. Fails with `ActivityFailedError` when no answer comes; any status is an answer.
   */
  httpGet(options: HostAccessOptions, signal: AbortSignal, request: HostHttpRequest): Promise<HostHttpAnswer>;
}

/** The AWS APIs of the deployment, for the faults that exist only there (instances, draining, scaling). */
export interface AwsApis {
  readonly name: 'aws';
  ecs(): ECSClient;
  ec2(): EC2Client;
  autoScaling(): AutoScalingClient;
  cloudWatch(): CloudWatchClient;
  /** Run Command on the instance, for host access over SSM. */
  ssm(): SSMClient;
}

/** One node of the multi-node rehearsal as `node-control status` reports it. */
export interface FleetNode {
  readonly name: string;
  readonly zone: string;
  readonly address: string;
  readonly engine: 'running' | 'gone';
  /** The swarm's id of the node (a replacement may get a new one); null while it has none. */
  readonly swarmNodeId: string | null;
  /** `ready`, `down`, `unknown`, … as the swarm says. */
  readonly swarmState: string;
  /** `active`, `pause`, `drain`. */
  readonly availability: string;
  readonly link: 'up' | 'down';
  /** How many times the stand-in Auto Scaling group replaced this slot. */
  readonly replacements: number;
  /** The stand-in load balancer's target health of the node; absent from a node-control that predates it. */
  readonly loadBalancer?: 'in-service' | 'out-of-service' | 'unknown';
}

/** What `node-control cut-zone|restore-zone` reports: the zone, its nodes, and the state of each of their links (JSON, for the journal). */
export type ZoneLinks = { zone: string; nodes: string[]; links: { name: string; state: string }[] };

/** A task of the swarm placed on a node (`docker node ps`). */
export interface NodeTask {
  readonly id: string;
  readonly name: string;
  readonly desiredState: string;
  readonly currentState: string;
}

/**
 * The instances of the platform where they are not EC2 instances: the local multi-node
 * rehearsal's nodes, through its `node-control` command (run on the host over SSH, as the runtime
 * restart) and the swarm manager (drain). On AWS the instance faults use the AWS APIs instead.
 */
export interface NodeFleet {
  readonly name: 'node-control';
  /** The nodes the outputs list (name, zone, address), in their order. */
  readonly nodes: readonly { readonly name: string; readonly zone: string; readonly address: string }[];
  /** The command words of `node-control <subcommand> <argument>`, for dry runs and journals. */
  words(subcommand: 'terminate' | 'cut-zone' | 'restore-zone' | 'status', argument?: string): readonly string[];
  status(options: HostAccessOptions, signal: AbortSignal): Promise<readonly FleetNode[]>;
  /** SIGKILL of every process of the node; the JSON node-control printed. */
  terminate(options: HostAccessOptions, signal: AbortSignal, node: string): Promise<JsonObject>;
  /** The host side of every link of the zone's nodes down (`cut`) or up (`restore`); what node-control printed. */
  zoneLinks(options: HostAccessOptions, signal: AbortSignal, zone: string, to: 'cut' | 'restore'): Promise<ZoneLinks>;
  /** `docker node update --availability <availability> <swarmNodeId>` on the swarm manager. */
  setAvailability(signal: AbortSignal, swarmNodeId: string, availability: 'drain' | 'active'): Promise<void>;
  /** The tasks the swarm wants running on the node, with their current states. */
  nodeTasks(signal: AbortSignal, swarmNodeId: string): Promise<readonly NodeTask[]>;
}

/** Every port, by the name a fault declares. */
export interface Ports {
  readonly orchestrator: Orchestrator;
  readonly host: HostAccess;
  readonly aws: AwsApis;
  readonly nodes: NodeFleet;
}

export type PortName = keyof Ports;

/**
 * A port a fault uses; `adapter` narrows it to one adapter (the swarm modules), `why` says what the
 * fault would miss on a target without it (shown when it is refused).
 */
export interface PortRequirement {
  readonly port: PortName;
  /** Another port that serves the fault as well (the instance faults: `aws` on AWS, `nodes` locally). */
  readonly or?: PortName;
  readonly adapter?: string;
  readonly why?: string;
}

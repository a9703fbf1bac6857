import type { z } from 'zod';
import type { PlatformOutputs } from '../../contract/outputs';
import type { JsonValue } from '../../contract/json';
import type { TargetRef } from '../targets/blast-radius';
import type { HttpSampleTarget } from '../sampling/sample-target';
import type { PortName, PortRequirement, Ports } from './ports';

/**
 * The driver interface. A fault (or probe) is one module exporting one descriptor made with
 * `defineFault`; its driver folder's `index.ts` lists it; `drivers/index.ts` lists the folders.
 */

/** `<driver>:<verb>-<object>`, e.g. `ecs:stop-task`, `http:get`. */
export type FaultId = `${string}:${string}`;

/** Whether the module changes the system (action) or only looks at it (probe). */
export type FaultKind = 'action' | 'probe';

/** Where drivers report what they do; the engine forwards it to the progress observers. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** Time, injectable so tests need not wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Something a fault stopped, which a later probe must see replaced. */
export interface StoppedUnit {
  readonly fault: FaultId;
  /** Logical service name (`api`); `instance` for the EC2 instance. */
  readonly service: string;
  /** What the id names: an ECS task ARN, a swarm task id, a container id, an EC2 instance id or a rehearsal node's name. */
  readonly unit: 'ecs-task' | 'swarm-task' | 'container' | 'ec2-instance' | 'rehearsal-node';
  readonly id: string;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /**
   * When a stopped container had started, by the host's clock (`docker inspect`): a restart in
   * place (ECS container restart policy) keeps the id and changes this.
   */
  readonly startedAt?: string;
  /**
   * A rehearsal node (whose id is its slot name, kept by its replacement): its swarm node id and
   * replacement count when it was terminated, so that a probe can tell the replacement from it.
   */
  readonly node?: { readonly swarmNodeId: string | null; readonly replacements: number };
}

/** An identity a probe saw answering for a service (the API's instance id), and when. */
export interface ObservedIdentity {
  readonly service: string;
  readonly identity: string;
  readonly at: number;
}

/** A run's memory of injected faults and of identities seen answering. */
export interface FaultRecord {
  stopped(unit: StoppedUnit): void;
  observed(identity: ObservedIdentity): void;
  /** The latest stop of that kind of unit for the service, if any. */
  lastStopped(service: string, unit: StoppedUnit['unit']): StoppedUnit | undefined;
  /** The latest stop of anything of the service, if any. */
  lastFault(service: string): StoppedUnit | undefined;
  /** Identities seen for the service before `before` (ms since the epoch). */
  identitiesBefore(service: string, before: number): readonly string[];
}

/** What a dry run sees of the target: the outputs and the adapters bound to them. */
export interface TargetView {
  /** The parsed stack outputs: the only source of names a fault may act on. */
  readonly outputs: PlatformOutputs;
  /** The target's adapter for a port the fault declared in `requires` (checked when it was bound). */
  use<P extends PortName>(port: P): Ports[P];
  /**
   * Whether this target serves the port: how a fault declaring alternatives (`{port, or}`) knows
   * which one it was bound with, without itself deciding anything about the target.
   */
  serves(port: PortName): boolean;
}

/** What a running fault is given. */
export interface DriverContext extends TargetView {
  readonly log: Logger;
  /** Aborts on interruption (SIGINT/SIGTERM) or when the activity's timeout passes. */
  readonly signal: AbortSignal;
  readonly clock: Clock;
  /** What this run's faults did, so that probes can prove a fault took effect. */
  readonly record: FaultRecord;
  /**
   * Checks targets found at run time (an instance id looked up in the ASG) against the outputs and
   * throws `ActivityFailedError` before anything is done when one is outside them.
   */
  guard(targets: readonly TargetRef[]): void;
}

/** What a fault module declares. `A` is the type its argument schema produces. */
export interface FaultDescriptor<A> {
  readonly id: FaultId;
  readonly kind: FaultKind;
  /** One sentence for `chaos list` and the README catalog. */
  readonly description: string;
  /** Validated at experiment load time, so `run` receives typed arguments. */
  readonly args: z.ZodType<A>;
  /** Destructive faults need `--yes` on the command line. */
  readonly destructive: boolean;
  /** The ports it uses; a target without one of them is refused when the run binds its faults. */
  readonly requires?: readonly PortRequirement[];
  /** What the fault acts on, for the blast-radius guard and for `--dry-run`. */
  targets?(args: A, outputs: PlatformOutputs): readonly TargetRef[];
  /** One line saying exactly what `run` would do on this target, for `--dry-run`. */
  describe?(args: A, target: TargetView): string;
  /**
   * What `run` would act on right now, found read-only (List/Describe calls only), for `--dry-run
   * --live`; null when this target's adapters cannot say without acting.
   */
  live?(args: A, target: TargetView, signal: AbortSignal): Promise<string | null>;
  /** For probes the availability sampler can repeat: the request to send. */
  sampleTarget?(args: A, outputs: PlatformOutputs): HttpSampleTarget;
  /** Does the thing. Throws `ActivityFailedError` when the target misbehaves. */
  run(ctx: DriverContext, args: A): Promise<JsonValue>;
  /** Undoes `run`; the engine calls it during rollbacks with what `run` returned. */
  rollback?(ctx: DriverContext, args: A, runResult: JsonValue): Promise<JsonValue>;
}

/** A fault bound to validated arguments: what an experiment's `fault` provider holds. */
export interface BoundFault {
  readonly id: FaultId;
  readonly kind: FaultKind;
  readonly destructive: boolean;
  /** Whether `sampleTarget` gives a request (known without outputs, for load-time checks). */
  readonly sampleable: boolean;
  readonly requires: readonly PortRequirement[];
  targets(outputs: PlatformOutputs): readonly TargetRef[];
  describe(target: TargetView): string;
  /** Null when the module has no read-only live resolution (see `FaultDescriptor.live`). */
  readonly live?: ((target: TargetView, signal: AbortSignal) => Promise<string | null>) | null;
  /** Null when the fault cannot be sampled. */
  sampleTarget(outputs: PlatformOutputs): HttpSampleTarget | null;
  run(ctx: DriverContext): Promise<JsonValue>;
  /** Null when the fault has nothing to undo. */
  readonly rollback: ((ctx: DriverContext, runResult: JsonValue) => Promise<JsonValue>) | null;
}

/** The outcome of binding raw arguments. */
export type BindResult =
  { readonly ok: true; readonly bound: BoundFault } | { readonly ok: false; readonly issues: readonly z.core.$ZodIssue[] };

/** A registered fault, its argument type closed over so a list of them is homogeneous. */
export interface Fault {
  readonly id: FaultId;
  readonly kind: FaultKind;
  readonly description: string;
  readonly destructive: boolean;
  readonly args: z.ZodType;
  readonly hasRollback: boolean;
  readonly sampleable: boolean;
  readonly requires: readonly PortRequirement[];
  bind(rawArgs: unknown): BindResult;
}

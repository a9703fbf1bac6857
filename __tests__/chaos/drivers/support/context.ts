import type { ClientFactories } from '../../../../chaos/adapters/aws-clients';
import type { DockerCli } from '../../../../chaos/adapters/swarm/docker-cli';
import { ActivityFailedError } from '../../../../chaos/errors';
import { createFaultRecord } from '../../../../chaos/faults/fault-record';
import type { DriverContext, Fault } from '../../../../chaos/faults/types';
import { systemClock } from '../../../../chaos/engine/clock';
import { bindTarget, type TargetBinding } from '../../../../chaos/targets/bind-target';
import { firstBlastRadiusViolation } from '../../../../chaos/targets/blast-radius';
import type { JsonValue } from '../../../../contract/json';
import type { PlatformOutputs } from '../../../../contract/outputs';
import { noClients } from '../../helpers/driver-context';

/** What a test may inject: AWS clients (mocked at the SDK boundary) and a recorded docker CLI. */
export type TestSources = Partial<ClientFactories> & { docker?: () => DockerCli };

/** The outputs' target bound to its adapters, as a run binds it, with the test's clients. */
export function targetFor(outputs: PlatformOutputs, sources: TestSources = {}): TargetBinding {
  const { docker, ...clients } = sources;
  return bindTarget(outputs, { clients: { ...noClients, ...clients }, ...(docker === undefined ? {} : { docker: () => docker() }) });
}

/** A driver context with a fault record, the real target binding and the real blast-radius guard. */
export function contextFor(
  outputs: PlatformOutputs,
  sources: TestSources = {},
  signal: AbortSignal = new AbortController().signal,
): DriverContext & { logs: string[]; target: TargetBinding } {
  const logs: string[] = [];
  const target = targetFor(outputs, sources);
  return {
    outputs,
    signal,
    clock: systemClock,
    record: createFaultRecord(),
    use: (port) => target.use(port),
    serves: (port) => target.serves(port),
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`) },
    guard: (targets) => {
      const violation = firstBlastRadiusViolation(targets, outputs);
      if (violation !== null) throw new ActivityFailedError(`refused outside the blast radius: ${violation}`);
    },
    logs,
    target,
  };
}

/** The engine's bind-time check, as a run makes it before the fault can act. */
function refuseUnbound(fault: Fault, ctx: DriverContext & { target: TargetBinding }): void {
  const refused = ctx.target.refusal(fault.id, fault.requires);
  if (refused !== null) throw new ActivityFailedError(refused);
}

/** Binds arguments (throwing on invalid ones) and runs the fault. */
export async function runFault(fault: Fault, args: unknown, ctx: DriverContext & { target: TargetBinding }): Promise<JsonValue> {
  const bound = fault.bind(args);
  if (!bound.ok) throw new Error(`invalid arguments: ${bound.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  refuseUnbound(fault, ctx);
  return bound.bound.run(ctx);
}

/** Binds arguments and runs the fault's rollback with a run result. */
export async function rollbackFault(
  fault: Fault,
  args: unknown,
  ctx: DriverContext & { target: TargetBinding },
  runResult: JsonValue,
): Promise<JsonValue> {
  const bound = fault.bind(args);
  if (!bound.ok || bound.bound.rollback === null) throw new Error('no rollback');
  refuseUnbound(fault, ctx);
  return bound.bound.rollback(ctx, runResult);
}

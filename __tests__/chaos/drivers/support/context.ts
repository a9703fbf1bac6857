import type { Fault, ClientFactories, DriverContext } from '../../../../chaos/faults/types';
import type { JsonValue } from '../../../../contract/json';
import { createFaultRecord } from '../../../../chaos/engine/aws-clients';
import { systemClock } from '../../../../chaos/engine/clock';
import { firstBlastRadiusViolation } from '../../../../chaos/targets/blast-radius';
import { ActivityFailedError } from '../../../../chaos/errors';
import type { PlatformOutputs } from '../../../../contract/outputs';
import { noClients } from '../../helpers/driver-context';

/** A driver context with a fault record and the real blast-radius guard. */
export function contextFor(
  outputs: PlatformOutputs,
  clients: Partial<ClientFactories> = {},
  signal: AbortSignal = new AbortController().signal,
): DriverContext & { logs: string[] } {
  const logs: string[] = [];
  const record = createFaultRecord();
  return {
    outputs,
    signal,
    clock: systemClock,
    clients: { ...noClients, faultRecord: () => record, ...clients },
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`) },
    guard: (targets) => {
      const violation = firstBlastRadiusViolation(targets, outputs);
      if (violation !== null) throw new ActivityFailedError(`refused outside the blast radius: ${violation}`);
    },
    logs,
  };
}

/** Binds arguments (throwing on invalid ones) and runs the fault. */
export async function runFault(fault: Fault, args: unknown, ctx: DriverContext): Promise<JsonValue> {
  const bound = fault.bind(args);
  if (!bound.ok) throw new Error(`invalid arguments: ${bound.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return bound.bound.run(ctx);
}

/** Binds arguments and runs the fault's rollback with a run result. */
export async function rollbackFault(fault: Fault, args: unknown, ctx: DriverContext, runResult: JsonValue): Promise<JsonValue> {
  const bound = fault.bind(args);
  if (!bound.ok || bound.bound.rollback === null) throw new Error('no rollback');
  return bound.bound.rollback(ctx, runResult);
}

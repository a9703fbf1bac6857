import type { PlatformOutputs } from '../../../contract/outputs';
import type { ClientFactories, DriverContext } from '../../../chaos/faults/types';
import { systemClock } from '../../../chaos/engine/clock';

/** Clients that must never be used in these tests (no AWS traffic, ever). */
export const noClients: ClientFactories = {
  ecs: () => {
    throw new Error('no AWS in unit tests');
  },
  ec2: () => {
    throw new Error('no AWS in unit tests');
  },
  autoScaling: () => {
    throw new Error('no AWS in unit tests');
  },
};

export function driverContextFor(
  outputs: PlatformOutputs,
  signal: AbortSignal = new AbortController().signal,
): DriverContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    outputs,
    signal,
    clock: systemClock,
    clients: noClients,
    log: { info: (m) => logs.push(m), warn: (m) => logs.push(`warn: ${m}`) },
    guard: () => undefined,
    logs,
  };
}

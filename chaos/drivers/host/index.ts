import type { Fault } from '../../faults/types';
import { hostBurnCpu } from './burn-cpu';
import { hostExhaustMemory } from './exhaust-memory';
import { hostKillProcess } from './kill-process';

/** The host driver's modules: resource faults inside a container's cgroups, from the host. */
export const hostFaults: readonly Fault[] = [hostExhaustMemory, hostBurnCpu, hostKillProcess];

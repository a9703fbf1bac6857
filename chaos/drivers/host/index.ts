import type { Fault } from '../../faults/types';
import { hostBurnCpu } from './burn-cpu';
import { hostExhaustMemory } from './exhaust-memory';
import { hostFillDisk } from './fill-disk';
import { hostKillProcess } from './kill-process';
import { hostRestartRuntime } from './restart-runtime';

/** The host driver's modules: faults on the instance itself (a container's cgroups and processes, the runtime's disk, the runtime), over SSH or SSM. */
export const hostFaults: readonly Fault[] = [hostExhaustMemory, hostBurnCpu, hostKillProcess, hostFillDisk, hostRestartRuntime];

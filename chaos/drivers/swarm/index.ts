import type { Fault } from '../../faults/types';
import { swarmRollingUpdate } from './rolling-update';
import { swarmServiceConverged } from './service-converged';
import { swarmStopTask } from './stop-task';

/** The swarm driver's modules (the local rehearsal). */
export const swarmFaults: readonly Fault[] = [swarmStopTask, swarmServiceConverged, swarmRollingUpdate];

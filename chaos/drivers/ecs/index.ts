import type { Fault } from '../../faults/types';
import { ecsDrainInstance } from './drain-instance';
import { ecsScaleService } from './scale-service';
import { ecsServiceEvents } from './service-events';
import { ecsServiceStable } from './service-stable';
import { ecsStopTask } from './stop-task';

/** The ECS driver's modules. */
export const ecsFaults: readonly Fault[] = [ecsStopTask, ecsServiceStable, ecsServiceEvents, ecsDrainInstance, ecsScaleService];

import type { Fault } from '../../faults/types';
import { asgGroupHealthy } from './group-healthy';

/** The Auto Scaling driver's modules. */
export const asgFaults: readonly Fault[] = [asgGroupHealthy];

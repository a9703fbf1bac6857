import type { Fault } from '../../faults/types';
import { hostRestartRuntime } from './restart-runtime';

/** The host driver's modules: faults of the instance itself. */
export const hostFaults: readonly Fault[] = [hostRestartRuntime];

import type { Fault } from '../../faults/types';
import { httpGet } from './get';

/** The http driver's modules. */
export const httpFaults: readonly Fault[] = [httpGet];

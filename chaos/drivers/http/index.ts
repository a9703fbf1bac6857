import type { Fault } from '../../faults/types';
import { httpGet } from './get';
import { httpLoad } from './load';

/** The http driver's modules. */
export const httpFaults: readonly Fault[] = [httpGet, httpLoad];

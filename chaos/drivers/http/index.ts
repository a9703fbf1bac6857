import type { Fault } from '../types';
import { httpGet } from './get';

/** The http driver's modules. */
export const httpFaults: readonly Fault[] = [httpGet];

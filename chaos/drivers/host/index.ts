import type { Fault } from '../../faults/types';
import { hostFillDisk } from './fill-disk';

/** The host driver's modules: faults on the instance itself (its disk, its processes, its network), over SSH or SSM. */
export const hostFaults: readonly Fault[] = [hostFillDisk];

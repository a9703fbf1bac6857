import { catalogOf, type FaultCatalog } from './define-fault';
import { httpFaults } from './http';
import type { Fault } from './types';

/**
 * Every fault and probe module, one line per driver folder. Adding a driver: create its folder with
 * an `index.ts` exporting its list, and add that list here.
 */
export const ALL_FAULTS: readonly Fault[] = [...httpFaults];

/** The catalog experiments are validated against. */
export const FAULT_CATALOG: FaultCatalog = catalogOf(ALL_FAULTS);

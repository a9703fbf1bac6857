import { catalogOf, type FaultCatalog } from '../faults/define-fault';
import { acmeFaults } from './acme';
import { asgFaults } from './asg';
import { ec2Faults } from './ec2';
import { ecsFaults } from './ecs';
import { hostFaults } from './host';
import { httpFaults } from './http';
import { netFaults } from './net';
import { sshFaults } from './ssh';
import { swarmFaults } from './swarm';
import type { Fault } from '../faults/types';

/**
 * Every fault and probe module, one line per driver folder. Adding a driver: create its folder with
 * an `index.ts` exporting its list, and add that list here.
 */
export const ALL_FAULTS: readonly Fault[] = [
  ...httpFaults,
  ...ecsFaults,
  ...ec2Faults,
  ...asgFaults,
  ...sshFaults,
  ...hostFaults,
  ...swarmFaults,
  ...netFaults,
  ...acmeFaults,
];

/** The catalog experiments are validated against. */
export const FAULT_CATALOG: FaultCatalog = catalogOf(ALL_FAULTS);

import type { Fault } from '../../faults/types';
import { netBlackholePort } from './blackhole-port';
import { netCutZone } from './cut-zone';
import { netDelayPort } from './delay-port';
import { netDropPackets } from './drop-packets';

/** The net driver's modules: faults on the proxy↔service path on the host, and a zone of the rehearsal cut off. */
export const netFaults: readonly Fault[] = [netBlackholePort, netDropPackets, netDelayPort, netCutZone];

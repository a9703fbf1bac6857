import type { Fault } from '../../faults/types';
import { netBlackholePort } from './blackhole-port';
import { netDelayPort } from './delay-port';
import { netDropPackets } from './drop-packets';

/** The net driver's modules: faults on the proxy↔service path on the host. */
export const netFaults: readonly Fault[] = [netBlackholePort, netDropPackets, netDelayPort];

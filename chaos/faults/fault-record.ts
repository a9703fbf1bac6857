import type { FaultRecord, ObservedIdentity, StoppedUnit } from './types';

/** A run's memory of what its faults stopped and which identities answered, in order. */
export function createFaultRecord(): FaultRecord {
  const stops: StoppedUnit[] = [];
  const seen: ObservedIdentity[] = [];
  const latest = (matches: (s: StoppedUnit) => boolean): StoppedUnit | undefined => [...stops].reverse().find(matches);
  return {
    stopped: (unit) => void stops.push(unit),
    observed: (identity) => void seen.push(identity),
    lastStopped: (service, unit) => latest((s) => s.service === service && s.unit === unit),
    lastFault: (service) => latest((s) => s.service === service),
    identitiesBefore: (service, before) => [...new Set(seen.filter((o) => o.service === service && o.at < before).map((o) => o.identity))],
  };
}

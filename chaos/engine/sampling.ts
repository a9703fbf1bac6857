import type { PlatformOutputs } from '../../contract/outputs';
import type { HttpSampleTarget } from '../sampling/sample-target';
import type { Activity, AvailabilityObjective, Experiment, Tolerance } from '../model/types';
import { httpRequestSpec } from './providers/http';

/** Statuses a tolerance accepts, when it is about the status; else any status below 400. */
function statusesFrom(tolerance: Tolerance | undefined): readonly number[] | 'success' {
  if (tolerance === undefined) return 'success';
  switch (tolerance.kind) {
    case 'exact':
      return typeof tolerance.value === 'number' ? [tolerance.value] : 'success';
    case 'bounds':
      return [tolerance.lo, tolerance.hi];
    case 'one-of': {
      const numbers = tolerance.values.filter((v): v is number => typeof v === 'number');
      return numbers.length > 0 ? numbers : 'success';
    }
    case 'range':
    case 'regex':
    case 'jsonpath':
    case 'probe':
      return 'success';
  }
}

function findProbe(experiment: Experiment, name: string): Activity | undefined {
  const probes: readonly Activity[] = [...(experiment.hypothesis?.probes ?? []), ...experiment.method];
  return probes.find((a) => a.type === 'probe' && a.name === name);
}

/**
 * The request the availability sampler repeats: the named probe's, with the objective's timeout.
 * Null when the probe cannot be sampled (the loader has already refused such experiments).
 */
export function sampleTargetFor(
  experiment: Experiment,
  objective: AvailabilityObjective,
  outputs: PlatformOutputs | null,
): HttpSampleTarget | null {
  const probe = findProbe(experiment, objective.probe);
  if (probe === undefined) return null;
  const timeoutMs = objective.timeout * 1000;
  const provider = probe.provider;
  switch (provider.type) {
    case 'http': {
      const spec = httpRequestSpec(provider);
      const tolerance = probe.type === 'probe' ? probe.tolerance : undefined;
      return {
        url: spec.url,
        method: spec.method,
        headers: spec.headers,
        ...(spec.body === undefined ? {} : { body: spec.body }),
        expectStatus: provider.expectedStatus !== undefined ? [provider.expectedStatus] : statusesFrom(tolerance),
        timeoutMs,
        verifyTls: spec.verifyTls,
      };
    }
    case 'fault': {
      const target = outputs === null ? null : provider.bound.sampleTarget(outputs);
      return target === null ? null : { ...target, timeoutMs };
    }
    case 'process':
      return null;
  }
}

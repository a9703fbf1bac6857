import type { JsonObject, JsonValue } from '../../contract/json';
import type { Activity, Provider, RecoveryObjective, Tolerance } from './types';

/** The model back as JSON, for journals, dry runs and reports (chaostoolkit's spelling). */

export function toleranceToJson(tolerance: Tolerance): JsonValue {
  switch (tolerance.kind) {
    case 'exact':
      return tolerance.value;
    case 'bounds':
      return [tolerance.lo, tolerance.hi];
    case 'one-of':
      return [...tolerance.values];
    case 'range':
      return {
        type: 'range',
        range: [tolerance.lo, tolerance.hi],
        ...(tolerance.target === undefined ? {} : { target: tolerance.target }),
      };
    case 'regex':
      return { type: 'regex', pattern: tolerance.pattern, ...(tolerance.target === undefined ? {} : { target: tolerance.target }) };
    case 'jsonpath':
      return {
        type: 'jsonpath',
        path: tolerance.path,
        ...(tolerance.expect === undefined ? {} : { expect: tolerance.expect }),
        ...(tolerance.count === undefined ? {} : { count: tolerance.count }),
        ...(tolerance.target === undefined ? {} : { target: tolerance.target }),
      };
    case 'probe':
      return activityToJson(tolerance.probe);
  }
}

export function providerToJson(provider: Provider): JsonObject {
  switch (provider.type) {
    case 'process':
      return {
        type: 'process',
        path: provider.path,
        arguments: [...provider.arguments],
        ...(provider.timeout === undefined ? {} : { timeout: provider.timeout }),
      };
    case 'http':
      return {
        type: 'http',
        url: provider.url,
        method: provider.method,
        ...(Object.keys(provider.headers).length === 0 ? {} : { headers: { ...provider.headers } }),
        ...(provider.body === undefined ? {} : { body: provider.body }),
        ...(provider.arguments === undefined ? {} : { arguments: provider.arguments }),
        ...(provider.timeout === undefined
          ? {}
          : { timeout: typeof provider.timeout === 'number' ? provider.timeout : [...provider.timeout] }),
        ...(provider.expectedStatus === undefined ? {} : { expected_status: provider.expectedStatus }),
        ...(provider.maxRetries === undefined ? {} : { max_retries: provider.maxRetries }),
      };
    case 'fault':
      return {
        type: 'fault',
        id: provider.id,
        arguments: provider.arguments,
        ...(provider.timeout === undefined ? {} : { timeout: provider.timeout }),
      };
  }
}

export function activityToJson(activity: Activity): JsonObject {
  return {
    type: activity.type,
    name: activity.name,
    provider: providerToJson(activity.provider),
    ...(activity.type === 'probe' && activity.tolerance !== undefined ? { tolerance: toleranceToJson(activity.tolerance) } : {}),
    ...(activity.pauses.before > 0 || activity.pauses.after > 0
      ? { pauses: { before: activity.pauses.before, after: activity.pauses.after } }
      : {}),
    ...(activity.background ? { background: true } : {}),
  };
}

export function recoveryToJson(recovery: RecoveryObjective): JsonObject {
  const sampled = recovery.availability.map((a): JsonObject => ({
    probe: a.probe,
    ...(a.min === undefined ? {} : { min: a.min }),
    rate: a.rate,
    timeout: a.timeout,
  }));
  return { within: recovery.within, poll: recovery.poll, ...(sampled.length === 0 ? {} : { availability: sampled }) };
}

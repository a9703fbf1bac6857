import type { BoundFault } from '../faults/types';
import type { JsonObject, JsonValue } from '../../contract/json';
import type { JsonPathStep } from './jsonpath';
import type { FloatPaths } from './python-values';

/**
 * The experiment model: what the loader produces and the engine consumes. Everything here has been
 * validated; configuration references are resolved and `${name}` substituted.
 */

/** How a probe's output is judged. chaostoolkit's forms, each a closed case. */
export type Tolerance =
  /** `true` / `200` / `"ok"`: equality; a number is compared with the `status` of a process or HTTP result. */
  | { readonly kind: 'exact'; readonly value: boolean | number | string }
  /** `[lo, hi]` (two numbers): chaostoolkit's pair: status membership for process/HTTP results, else lo ≤ value ≤ hi. */
  | { readonly kind: 'bounds'; readonly lo: number; readonly hi: number }
  /** Any other list: the result's `status` is one of these; else two values bound the value (Python's `a <= v <= b`), more are a set. */
  | { readonly kind: 'one-of'; readonly values: readonly JsonValue[] }
  /** `{type: range, range: [lo, hi], target?}`: a number (or numeric string) within bounds, inclusive. */
  | { readonly kind: 'range'; readonly lo: number; readonly hi: number; readonly target?: string }
  /** `{type: regex, pattern, target?}`: the string matches. */
  | { readonly kind: 'regex'; readonly pattern: string; readonly target?: string }
  /** `{type: jsonpath, path, expect?, count?, target?}`: see `jsonpath.ts` for the supported subset. */
  | {
      readonly kind: 'jsonpath';
      readonly path: string;
      readonly steps: readonly JsonPathStep[];
      /** Undefined when the tolerance has no `expect` key (null is a valid expectation). */
      readonly expect?: JsonValue;
      readonly count?: number;
      readonly target?: string;
    }
  /** `{type: probe, …}`: another probe judges the value; met when it succeeds. */
  | { readonly kind: 'probe'; readonly probe: ProbeActivity };

/** Runs an executable directly, never through a shell. */
export interface ProcessProvider {
  readonly type: 'process';
  readonly path: string;
  readonly arguments: readonly string[];
  /** Seconds the activity may run (default: the experiment's `activity-timeout`); interruption always stops it too. */
  readonly timeout?: number;
}

/** Sends one HTTP request; the output is `{status, headers, body}` like chaostoolkit's. */
export interface HttpProvider {
  readonly type: 'http';
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Our body: a string is sent as is, anything else as JSON. */
  readonly body?: JsonValue;
  /** chaostoolkit's `arguments`: query parameters for GET, a form (or JSON) body otherwise. */
  readonly arguments?: JsonObject;
  /** Seconds, or chaostoolkit's `[connect, read]` pair (the activity may take their sum). */
  readonly timeout?: number | readonly [number, number];
  /** Ours: the status the availability sampler counts as healthy (the activity itself does not fail on another, as chaostoolkit). */
  readonly expectedStatus?: number;
  /** chaostoolkit's `max_retries`: further attempts when the connection cannot be made. */
  readonly maxRetries?: number;
  readonly verifyTls: boolean;
}

/** One of our driver modules, with its arguments validated against the module's schema. */
export interface FaultProvider {
  readonly type: 'fault';
  readonly id: string;
  /** As written, for the journal and dry runs. */
  readonly arguments: JsonObject;
  readonly bound: BoundFault;
  /** Seconds the activity may run (default: the experiment's `activity-timeout`). */
  readonly timeout?: number;
}

export type Provider = ProcessProvider | HttpProvider | FaultProvider;

/** Seconds to wait around an activity. */
export interface Pauses {
  readonly before: number;
  readonly after: number;
}

interface ActivityCommon {
  readonly name: string;
  readonly provider: Provider;
  readonly pauses: Pauses;
  /** Runs alongside the following activities; the method waits for it at its end. */
  readonly background: boolean;
}

export interface ActionActivity extends ActivityCommon {
  readonly type: 'action';
}

export interface ProbeActivity extends ActivityCommon {
  readonly type: 'probe';
  readonly tolerance?: Tolerance;
}

export type Activity = ActionActivity | ProbeActivity;

/** A steady-state hypothesis probe always has a tolerance. */
export interface HypothesisProbe extends ProbeActivity {
  readonly tolerance: Tolerance;
}

export interface Hypothesis {
  readonly title: string;
  readonly probes: readonly HypothesisProbe[];
}

/** Values given on the command line (`--var`, `--var-file`), over the experiment's own. */
export interface ExperimentVars {
  /** Over the `configuration` entries of the same name. */
  readonly configuration: JsonObject;
  /** `{scope: {name: value}}`: each scope takes the place of the experiment's scope of that name (chaostoolkit's load_secrets). */
  readonly secrets: Readonly<Record<string, JsonObject>>;
  /** Which numbers of each configuration value are Python floats (`--var x:float=3`, `3.0` in a var file). */
  readonly floats?: ReadonlyMap<string, FloatPaths>;
}

/**
 * When rollbacks run, as chaostoolkit's strategies: `default` unless the run failed or was
 * interrupted, `always`, `never`, `deviated` only when the steady state deviated.
 */
export type RollbackStrategy = 'default' | 'always' | 'deviated' | 'never';

/** Sampling one HTTP probe continuously from the first action on. */
export interface AvailabilityObjective {
  /** Minimum percentage of successful samples over the fault window; absent: measured, not judged. */
  readonly min?: number;
  /** Name of an HTTP probe (hypothesis or method) to sample. */
  readonly probe: string;
  /** Samples per second. */
  readonly rate: number;
  /** Seconds before one sample counts as failed. */
  readonly timeout: number;
}

/** The recovery objective: healthy again within `within` seconds of the first action. */
export interface RecoveryObjective {
  readonly within: number;
  /** Seconds between the starts of steady-state polls while waiting for recovery. */
  readonly poll: number;
  /** The probes sampled from the first action on (empty: no sampling), whichever way the file wrote them. */
  readonly availability: readonly AvailabilityObjective[];
}

/** Guardrails checked from the first action until the rollbacks; any breach aborts the run. */
export interface StopConditions {
  readonly probes: readonly HypothesisProbe[];
  /** CloudWatch alarm names (AWS target only). */
  readonly alarms: readonly string[];
  /** Seconds the whole run may last. */
  readonly maxDuration?: number;
  /** Seconds between checks. */
  readonly poll: number;
}

export interface Experiment {
  /** The file it was loaded from, as named on the command line. */
  readonly file: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** Resolved configuration values (env references read). */
  readonly configuration: JsonObject;
  readonly hypothesis?: Hypothesis;
  readonly method: readonly Activity[];
  readonly rollbacks: readonly Activity[];
  readonly rollbackStrategy: RollbackStrategy;
  readonly recovery?: RecoveryObjective;
  readonly stopConditions?: StopConditions;
  /** Seconds an activity whose provider sets no `timeout` may run (`activity-timeout`, 60 by default). */
  readonly activityTimeout: number;
  /** The document as written (before substitution), recorded in the journal. */
  readonly document: JsonObject;
  /** Values that must not appear in journals (resolved chaostoolkit secrets). */
  readonly secretValues: readonly string[];
}

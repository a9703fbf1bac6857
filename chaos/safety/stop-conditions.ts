import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import type { ActivityRun } from '../../contract/journal';
import type { JsonObject } from '../../contract/json';
import { runActivity, type ActivityEnvironment } from '../engine/activity';
import { ChaosError } from '../errors';
import type { StopConditions } from '../model/types';

/** A guardrail breached: the run aborts (method stopped, rollbacks run), status `aborted`. */
export class StopConditionBreach extends ChaosError {
  constructor(message: string) {
    super(message);
  }
}

/** What the journal says about the guardrails. */
export interface StopConditionsRecord {
  readonly checks: number;
  readonly breach: string | null;
  /** The guard probes' last check. */
  readonly last: readonly ActivityRun[];
}

export interface StopConditionWatch {
  /** Stops checking; resolves once a check in flight has ended. */
  stop(): Promise<StopConditionsRecord>;
}

async function alarmBreach(conditions: StopConditions, env: ActivityEnvironment, signal: AbortSignal): Promise<string | null> {
  if (conditions.alarms.length === 0 || env.target === null) return null;
  const out = await env.target
    .use('aws')
    .cloudWatch()
    .send(new DescribeAlarmsCommand({ AlarmNames: [...conditions.alarms] }), { abortSignal: signal });
  const found = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  for (const name of conditions.alarms) {
    const alarm = found.find((a) => a.AlarmName === name);
    // A guard that cannot be read guards nothing: a missing alarm stops the run as a firing one does.
    if (alarm === undefined) return `stop condition: CloudWatch alarm "${name}" does not exist`;
    if (alarm.StateValue === 'ALARM')
      return `stop condition: CloudWatch alarm "${name}" is in state ALARM (${alarm.StateReason ?? 'no reason given'})`;
  }
  return null;
}

/**
 * Checks the guard probes and alarms every `poll` seconds from now until `stop`, and aborts
 * `breach` with a `StopConditionBreach` at the first breach. Checks run one after another, never
 * overlapping, each with the run's signal.
 */
export function watchStopConditions(
  conditions: StopConditions,
  env: ActivityEnvironment,
  signal: AbortSignal,
  breach: AbortController,
): StopConditionWatch {
  let stopped = false;
  const wake = new AbortController();
  // Guard probes run every second: their activity lines and journal checkpoints would drown the
  // run's own; a breach is reported through the run's reasons and the journal's stop_conditions.
  const quiet: ActivityEnvironment = { ...env, recorder: undefined, events: { emit: () => undefined } };
  let checks = 0;
  let found: string | null = null;
  let last: readonly ActivityRun[] = [];
  const check = async (): Promise<void> => {
    const runs: ActivityRun[] = [];
    for (const probe of conditions.probes) {
      const { run } = await runActivity(probe, 'stop-conditions', quiet, signal);
      runs.push(run);
      if (run.status === 'failed' || run.tolerance_met === false) {
        found ??= `stop condition: guard probe "${probe.name}" ${run.status === 'failed' ? `failed: ${run.exception?.[0] ?? 'error'}` : 'is outside its tolerance'}`;
        break;
      }
    }
    last = runs;
    if (found === null) {
      try {
        found = await alarmBreach(conditions, env, signal);
      } catch (error) {
        if (!signal.aborted)
          found = `stop condition: the alarms cannot be read (${error instanceof Error ? error.message : String(error)})`;
      }
    }
    checks += 1;
    if (found !== null && !breach.signal.aborted) breach.abort(new StopConditionBreach(found));
  };
  const loop = (async () => {
    while (!stopped && !signal.aborted && found === null) {
      await check();
      if (stopped || found !== null) break;
      await env.clock.sleep(conditions.poll * 1000, AbortSignal.any([signal, wake.signal])).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      stopped = true;
      wake.abort();
      await loop;
      return { checks, breach: found, last };
    },
  };
}

/** The journal's entry for the experiment's stop conditions. */
export function stopConditionsJson(conditions: StopConditions, record: StopConditionsRecord | null): JsonObject {
  return {
    probes: conditions.probes.map((p) => p.name),
    alarms: [...conditions.alarms],
    max_duration: conditions.maxDuration ?? null,
    poll: conditions.poll,
    checks: record?.checks ?? 0,
    breach: record?.breach ?? null,
  };
}

import type { Hypothesis } from '../model/types';
import { runActivity, type ActivityEnvironment } from './activity';
import type { Phase } from './events';
import type { ActivityRun, HypothesisRun } from '../../contract/journal';

/** A hypothesis check, with an error that must abort the run if one escaped a probe. */
export interface HypothesisOutcome {
  readonly result: HypothesisRun;
  readonly abortWith: Error | null;
}

/**
 * Runs the probes in order and stops at the first that fails or is outside its tolerance, as
 * chaostoolkit does: the steady state is met only when every probe is.
 */
export async function checkHypothesis(
  hypothesis: Hypothesis,
  phase: Phase,
  env: ActivityEnvironment,
  signal: AbortSignal,
): Promise<HypothesisOutcome> {
  const at = new Date(env.clock.now()).toISOString();
  const probes: ActivityRun[] = [];
  for (const probe of hypothesis.probes) {
    const { run, abortWith } = await runActivity(probe, phase, env, signal);
    const met = run.status === 'succeeded' && run.tolerance_met !== false;
    probes.push(run.status === 'failed' ? { ...run, tolerance_met: false } : run);
    if (abortWith !== null) return { result: { steady_state_met: false, probes, at }, abortWith };
    if (!met) {
      env.events.emit({ type: 'hypothesis', phase, met: false });
      return { result: { steady_state_met: false, probes, at }, abortWith: null };
    }
  }
  env.events.emit({ type: 'hypothesis', phase, met: true });
  return { result: { steady_state_met: true, probes, at }, abortWith: null };
}

/** The first probe that let the hypothesis down, for a one-line reason. */
export function whyNotMet(result: HypothesisRun): string {
  const bad = result.probes.find((p) => p.status === 'failed' || p.tolerance_met === false);
  if (bad === undefined) return 'steady state not met';
  const name = typeof bad.activity.name === 'string' ? bad.activity.name : 'probe';
  return bad.status === 'failed' ? `probe "${name}" failed: ${bad.exception?.[0] ?? 'error'}` : `probe "${name}" is outside its tolerance`;
}

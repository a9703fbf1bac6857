import type { JsonObject } from '../../contract/json';
import { platform } from 'node:os';
import type { AvailabilitySample } from '../../contract/journal';
import type { Experiment } from '../model/types';
import type { LoadedOutputs } from '../targets/outputs-reader';
import type { ActivityRecorder } from './activity';
import { NOT_MEASURED, recoveryRecord, type RecoveryMeasure } from './recovery-figures';
import type { Phase } from './events';
import { ENGINE_NAME, ENGINE_VERSION } from '../journal/journal-file';
import type { ActivityRun, HypothesisRun, Journal, RecoveryRecord, RunStatus } from '../../contract/journal';

const SEVERITY: Readonly<Record<RunStatus, number>> = { completed: 0, failed: 1, aborted: 2, interrupted: 3 };

/** Everything a run accumulates; turns into the journal at the end, and into a `running` one as it goes. */
export class RunState implements ActivityRecorder {
  status: RunStatus = 'completed';
  deviated = false;
  readonly reasons: string[] = [];
  before: HypothesisRun | null = null;
  readonly during: HypothesisRun[] = [];
  after: HypothesisRun | null = null;
  readonly runs: ActivityRun[] = [];
  readonly rollbacks: ActivityRun[] = [];
  rollbacksSkipped: string | null = null;
  methodStarted = false;
  /** Epoch ms of the first action. */
  t0: number | null = null;
  samples: readonly AvailabilitySample[] = [];
  recovery: RecoveryMeasure = NOT_MEASURED;
  /** Activities started and not finished, by start: what a killed run may have left half-done. */
  private readonly inFlight = new Map<string, { activity: JsonObject; phase: string; start: string }>();
  /** Method activities as they finish (the method's own, ordered list replaces them when it ends). */
  private readonly methodSoFar: ActivityRun[] = [];
  /** The experiment's guardrails and what their checks found (null without stop conditions). */
  stopConditions: JsonObject | null = null;
  /** Called after each change worth writing down (an activity started or ended). */
  onChange: () => Promise<void> = async () => undefined;

  constructor(
    private readonly experiment: Experiment,
    private readonly outputs: LoadedOutputs | null,
    /** Which adapter served each port, as the run bound them (null without outputs). */
    private readonly adapters: JsonObject | null,
    readonly startedAt: number,
    /** The short commit of the experiment's checkout (null: not in one). */
    private readonly gitCommit: string | null = null,
  ) {}

  started(phase: Phase, activity: JsonObject, start: string): Promise<void> {
    this.inFlight.set(`${phase} ${start} ${String(activity.name)}`, { activity, phase, start });
    return this.onChange();
  }

  finished(phase: Phase, run: ActivityRun): Promise<void> {
    this.inFlight.delete(`${phase} ${run.start} ${String(run.activity.name)}`);
    if (phase === 'method') this.methodSoFar.push(run);
    return this.onChange();
  }

  /** The journal as it stands mid-run: status `running`, what finished so far, what is in flight. */
  snapshot(now: number): Journal {
    const journal = this.toJournal(now);
    return {
      ...journal,
      status: 'running',
      run: this.runs.length > 0 ? this.runs : [...this.methodSoFar],
      in_flight: [...this.inFlight.values()],
    };
  }

  /** Records why the run did not complete; the most severe status wins and its reason comes first. */
  end(status: Exclude<RunStatus, 'completed'>, reason: string): void {
    if (SEVERITY[status] > SEVERITY[this.status]) {
      this.status = status;
      this.reasons.unshift(reason);
    } else {
      this.reasons.push(reason);
    }
  }

  private recoveryRecord(): RecoveryRecord | null {
    const objective = this.experiment.recovery;
    return objective === undefined ? null : recoveryRecord(objective, this.t0, this.samples, this.recovery);
  }

  /** Judges the recovery objective; call once after the wait. */
  judgeRecovery(): void {
    const record = this.recoveryRecord();
    const objective = this.experiment.recovery;
    if (record === null || record.met !== false || objective === undefined) return;
    if (record.timeToRecoverMs === null || record.timeToRecoverMs > objective.within * 1000) {
      this.end('failed', `recovery objective missed: not recovered within ${objective.within}s of the first action`);
    }
    for (const probe of record.probes) {
      if (probe.met === false) {
        const which = record.probes.length > 1 ? ` of "${probe.probe}"` : '';
        this.end('failed', `recovery objective missed: availability${which} ${probe.availability ?? 0}% is below ${probe.min ?? 0}%`);
      }
    }
  }

  toJournal(endedAt: number): Journal {
    const o = this.outputs;
    return {
      'chaos-engine': `${ENGINE_NAME} ${ENGINE_VERSION}`,
      platform: platform(),
      node: process.version,
      experiment: this.experiment.document,
      experiment_file: this.experiment.file,
      git_commit: this.gitCommit,
      pid: process.pid,
      outputs:
        o === null
          ? null
          : {
              file: o.file,
              format: o.format,
              stack: o.stack,
              target: o.outputs.target,
              environment: o.outputs.environment,
              // The image tag the services run, when the outputs name it (the report shows it).
              ...(o.outputs.imageTag === undefined ? {} : { imageTag: o.outputs.imageTag }),
            },
      adapters: this.adapters,
      start: new Date(this.startedAt).toISOString(),
      end: new Date(endedAt).toISOString(),
      duration: (endedAt - this.startedAt) / 1000,
      status: this.status,
      deviated: this.deviated,
      reasons: this.reasons,
      steady_states: { before: this.before, during: this.during, after: this.after },
      run: this.runs,
      rollbacks: this.rollbacks,
      rollback_strategy: this.experiment.rollbackStrategy,
      rollbacks_skipped: this.rollbacksSkipped,
      recovery: this.recoveryRecord(),
      ...(this.stopConditions === null ? {} : { stop_conditions: this.stopConditions }),
    };
  }
}

/**
 * What the engine reports while it runs. The engine only emits; observers decide what to show
 * (progress lines on stderr, nothing with --quiet, a list in tests).
 */

/** The phases of a run, in order. */
export type Phase =
  'hypothesis-before' | 'method' | 'hypothesis-during' | 'recovery' | 'hypothesis-after' | 'rollbacks' | 'stop-conditions';

export type EngineEvent =
  | { readonly type: 'run-started'; readonly title: string; readonly journal: string }
  | { readonly type: 'phase-started'; readonly phase: Phase }
  | { readonly type: 'phase-skipped'; readonly phase: Phase; readonly reason: string }
  | {
      readonly type: 'activity-started';
      readonly phase: Phase;
      readonly name: string;
      readonly activityType: 'action' | 'probe';
      readonly background: boolean;
    }
  | {
      readonly type: 'activity-finished';
      readonly phase: Phase;
      readonly name: string;
      readonly ok: boolean;
      readonly durationMs: number;
      readonly detail: string | null;
    }
  | { readonly type: 'pause'; readonly name: string; readonly seconds: number; readonly when: 'before' | 'after' }
  | { readonly type: 'hypothesis'; readonly phase: Phase; readonly met: boolean }
  | { readonly type: 'sampling-started'; readonly probe: string; readonly url: string; readonly rate: number }
  | { readonly type: 'samples'; readonly probe: string; readonly elapsedMs: number; readonly ok: number; readonly failed: number }
  | { readonly type: 'recovery-poll'; readonly elapsedMs: number; readonly held: boolean }
  | { readonly type: 'interrupted'; readonly signal: string }
  | { readonly type: 'log'; readonly level: 'info' | 'warn'; readonly message: string }
  | { readonly type: 'run-finished'; readonly status: string; readonly deviated: boolean; readonly journal: string };

export interface EventSink {
  emit(event: EngineEvent): void;
}

/** Drops everything (`--quiet`). */
export const silentSink: EventSink = { emit: () => undefined };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}

/** One line per event worth a human's attention, prefixed with the time since the run started. */
export function formatEvent(event: EngineEvent): string | null {
  switch (event.type) {
    case 'run-started':
      return `experiment: ${event.title}`;
    case 'phase-started':
      return `-- ${event.phase}`;
    case 'phase-skipped':
      return `-- ${event.phase} skipped: ${event.reason}`;
    case 'activity-started':
      return `   ${event.activityType} "${event.name}"${event.background ? ' (background)' : ''} ...`;
    case 'activity-finished':
      return `   ${event.ok ? 'ok    ' : 'FAILED'} "${event.name}" in ${seconds(event.durationMs)}${event.detail ? `: ${event.detail}` : ''}`;
    case 'pause':
      return `   pause ${event.seconds}s ${event.when} "${event.name}"`;
    case 'hypothesis':
      return `   steady state ${event.met ? 'met' : 'NOT met'}`;
    case 'sampling-started':
      return `   sampling "${event.probe}" (${event.url}) at ${event.rate}/s`;
    case 'samples':
      return `   samples of "${event.probe}" at ${seconds(event.elapsedMs)}: ${event.ok} ok, ${event.failed} failed`;
    case 'recovery-poll':
      return `   recovery poll at ${seconds(event.elapsedMs)}: steady state ${event.held ? 'holds' : 'not yet'}`;
    case 'interrupted':
      return `!! ${event.signal}: stopping, then rolling back`;
    case 'log':
      return `   ${event.level === 'warn' ? 'warning: ' : ''}${event.message}`;
    case 'run-finished':
      return `-- ${event.status}${event.deviated ? ' (deviated)' : ''}; journal ${event.journal}`;
  }
}

/** The progress observer: writes formatted lines with the elapsed time. */
export function progressSink(write: (line: string) => void, now: () => number = Date.now): EventSink {
  const started = now();
  return {
    emit(event) {
      const line = formatEvent(event);
      if (line !== null) write(`[${seconds(now() - started).padStart(6)}] ${line}\n`);
    },
  };
}

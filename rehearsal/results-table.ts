import * as path from 'node:path';
import type { ExperimentResult, ProbeAvailability } from './experiment-runs';

/**
 * The results of `npm start` as a plain-text table for the terminal: one row per experiment with
 * its status, time-to-detect, time-to-recover (and what witnessed it), availability per sampled
 * path and its journal.
 */

const seconds = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`);
const percent = (value: number | null): string => (value === null ? '-' : `${Number(value.toFixed(2))} %`);

/** `frontend 100 %, api 87.5 %`: each probe by its name without the common `-through-proxy`. */
export function availabilityCell(figures: readonly ProbeAvailability[]): string {
  if (figures.length === 0) return '-';
  return figures.map((f) => `${f.probe.replace(/-through-proxy$/, '')} ${percent(f.availability)}`).join(', ');
}

/** Renders the table; journal paths relative to `repoRoot`. */
export function resultsTable(results: readonly ExperimentResult[], repoRoot: string): string {
  const header = ['experiment', 'status', 'exit', 'detected', 'recovered', 'witness', 'availability', 'journal'];
  const rows = results.map((r) => [
    path.basename(r.experiment),
    r.status,
    r.code === null ? '-' : String(r.code),
    seconds(r.timeToDetectMs),
    seconds(r.timeToRecoverMs),
    r.witness ?? '-',
    availabilityCell(r.availability),
    r.hasJournal ? path.relative(repoRoot, r.journal) : '-',
  ]);
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

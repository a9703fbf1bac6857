import { PolicySummary, StackReview } from './markdown';

/** What `--fail-on` can fail a review on: flagged risks of a kind, or an error-severity policy violation. */
export const GATE_KINDS = ['downtime', 'security', 'data-loss', 'policy'] as const;
export type GateKind = (typeof GATE_KINDS)[number];

/** Bad `--fail-on` input; the message is one line. */
export class GateUsageError extends Error {}

/** Parses `downtime,security,policy` (any order, each once at most). */
export function parseFailOn(text: string): GateKind[] {
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  if (kinds.length === 0) throw new GateUsageError(`--fail-on needs one or more of ${GATE_KINDS.join(', ')}, comma-separated`);
  for (const k of kinds) {
    if (!(GATE_KINDS as readonly string[]).includes(k)) {
      throw new GateUsageError(`--fail-on ${k}: not a risk kind (expected a comma-separated list of ${GATE_KINDS.join(', ')})`);
    }
  }
  return [...new Set(kinds)] as GateKind[];
}

/** One reason the gate fails: a stack and what was found there. */
export interface GateFailure {
  readonly kind: GateKind;
  readonly stack: string;
  readonly what: string;
}

/** Every flagged risk and blocking policy finding of the kinds asked for; empty means the gate passes. */
export function gateFailures(
  reviews: readonly StackReview[],
  policies: ReadonlyMap<string, PolicySummary>,
  kinds: readonly GateKind[],
): GateFailure[] {
  const failures: GateFailure[] = [];
  for (const r of reviews) {
    for (const c of r.changes) {
      for (const f of c.flags) {
        if (kinds.includes(f.kind)) failures.push({ kind: f.kind, stack: r.stack, what: `\`${c.address}\`: ${f.message}` });
      }
    }
  }
  if (kinds.includes('policy')) {
    for (const [stack, p] of policies) {
      for (const f of p.failures.filter((f) => !f.warning))
        failures.push({ kind: 'policy', stack, what: `**${f.rule}** \`${f.resource}\`` });
    }
  }
  return failures;
}

/** The gate's verdict, for the end of the comment (a required check that fails should say why). */
export function renderGate(kinds: readonly GateKind[], failures: readonly GateFailure[]): string {
  const flag = `\`--fail-on ${kinds.join(',')}\``;
  if (failures.length === 0) return `## Gate: passed\n\n${flag}: none of these found.\n`;
  return [
    `## Gate: failed`,
    '',
    `${flag}: ${failures.length} finding${failures.length === 1 ? '' : 's'}:`,
    ...failures.map((f) => `- ${f.kind} in \`${f.stack}\`: ${f.what}`),
    '',
  ].join('\n');
}

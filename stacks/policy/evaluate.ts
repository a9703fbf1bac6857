import { Finding, Rule } from './rule';
import { Subject } from './subject';
import { Suppression, covers } from './suppression';

/**
 * passed: nothing found. suppressed: everything found is covered by a suppression.
 * failed: an error rule found something not suppressed (stops synth). warned: the same for a warning rule.
 */
export type RuleStatus = 'passed' | 'suppressed' | 'failed' | 'warned';

/** A finding together with the suppression that accepts it. */
export interface SuppressedFinding {
  readonly finding: Finding;
  readonly suppression: Suppression;
}

/** One rule's outcome on one stack. */
export interface RuleResult {
  readonly rule: Rule;
  readonly status: RuleStatus;
  /** How many subjects the rule looked at (0: nothing of its kind in the stack). */
  readonly checked: number;
  /** Findings no suppression covers. */
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
}

/** Every rule's outcome on one stack. */
export interface PolicyReport {
  /** The stack's construct path (its name). */
  readonly stack: string;
  readonly results: readonly RuleResult[];
  /** Suppressions that covered nothing: stale, and worth deleting. */
  readonly unusedSuppressions: readonly Suppression[];
}

export interface PolicyInput {
  readonly stack: string;
  readonly subjects: readonly Subject[];
  readonly rules: readonly Rule[];
  readonly suppressions: readonly Suppression[];
}

function statusOf(rule: Rule, findings: readonly Finding[], suppressed: readonly SuppressedFinding[]): RuleStatus {
  if (findings.length > 0) return rule.severity === 'error' ? 'failed' : 'warned';
  return suppressed.length > 0 ? 'suppressed' : 'passed';
}

/** Runs every rule on every subject and applies the suppressions. Pure: no construct tree needed. */
export function evaluatePolicy(input: PolicyInput): PolicyReport {
  const used = new Set<Suppression>();
  const results = input.rules.map((rule): RuleResult => {
    const applicable = input.subjects.filter((s) => rule.appliesTo(s));
    const findings: Finding[] = [];
    const suppressed: SuppressedFinding[] = [];
    for (const finding of applicable.flatMap((s) => rule.check(s))) {
      const suppression = input.suppressions.find((s) => covers(s, rule.id, input.stack, finding));
      if (suppression) {
        used.add(suppression);
        suppressed.push({ finding, suppression });
      } else {
        findings.push(finding);
      }
    }
    return { rule, status: statusOf(rule, findings, suppressed), checked: applicable.length, findings, suppressed };
  });
  return { stack: input.stack, results, unusedSuppressions: input.suppressions.filter((s) => !used.has(s)) };
}

/** The unsuppressed findings of error rules: what stops synth. */
export function blockingFindings(report: PolicyReport): readonly { readonly rule: Rule; readonly finding: Finding }[] {
  return report.results.filter((r) => r.status === 'failed').flatMap((r) => r.findings.map((finding) => ({ rule: r.rule, finding })));
}

/** The unsuppressed findings of warning rules: printed, synth goes on. */
export function warningFindings(report: PolicyReport): readonly { readonly rule: Rule; readonly finding: Finding }[] {
  return report.results.filter((r) => r.status === 'warned').flatMap((r) => r.findings.map((finding) => ({ rule: r.rule, finding })));
}

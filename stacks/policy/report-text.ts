import { PolicyReport, RuleResult, RuleStatus } from './evaluate';
import { Finding, Rule, RuleInfo } from './rule';
import { Suppression } from './suppression';

/** Where suppressions are declared (named in every message that suggests one). */
export const SUPPRESSIONS_FILE = 'stacks/policy/suppressions.ts';

function relativePath(stack: string, path: string): string {
  return path.startsWith(`${stack}/`) ? path.slice(stack.length + 1) : path;
}

/**
 * The checkov and trivy checks equivalent to a rule, as a failure names them: a reader matching our
 * findings against a scanner's report (or a scanner's suppression list) needs them on the same line.
 */
export function equivalents(rule: RuleInfo): string {
  const named = [
    rule.checkov.length > 0 ? `checkov ${rule.checkov.join(', ')}` : '',
    rule.trivy.length > 0 ? `trivy ${rule.trivy.join(', ')}` : '',
  ].filter((part) => part !== '');
  return named.length > 0 ? named.join('; ') : 'no checkov or trivy equivalent';
}

/**
 * One finding as synth reports it: rule id and its checkov/trivy equivalents, construct path and
 * address, what is wrong, how to fix it, and how to accept it instead.
 */
export function findingMessage(stack: string, rule: Rule, finding: Finding): string {
  const scope = relativePath(stack, finding.path);
  return (
    `policy ${rule.severity} [${rule.id}] (${equivalents(rule)}) at ${finding.path} (${finding.subject}): ${finding.message}. ` +
    `Fix: ${rule.remedy}. ` +
    `Or accept it with a reason: add suppress({ ruleId: '${rule.id}', path: '${scope}', reason: '...' }) to ${SUPPRESSIONS_FILE}`
  );
}

const LABELS: Readonly<Record<RuleStatus, string>> = {
  passed: 'pass',
  suppressed: 'suppressed',
  failed: 'FAIL',
  warned: 'warn',
};

function scopeOf(s: Suppression): string {
  return s.path ?? 'whole stack';
}

function resultLines(stack: string, result: RuleResult, idWidth: number): string[] {
  const { rule } = result;
  // A failing or warning rule names its checkov/trivy equivalents; a passing one leaves them to --list.
  const note = result.checked === 0 ? ' (nothing of its kind in this stack)' : result.findings.length > 0 ? ` (${equivalents(rule)})` : '';
  const lines = [`  ${LABELS[result.status].padEnd(10)}  ${rule.id.padEnd(idWidth)}  ${rule.title}${note}`];
  const indent = ' '.repeat(14);
  for (const f of result.findings) {
    lines.push(`${indent}- ${f.path} (${f.subject}): ${f.message}`);
  }
  if (result.findings.length > 0) {
    lines.push(`${indent}fix: ${rule.remedy}`);
    const scope = relativePath(stack, result.findings[0].path);
    lines.push(`${indent}or accept it: suppress({ ruleId: '${rule.id}', path: '${scope}', reason: '...' }) in ${SUPPRESSIONS_FILE}`);
  }
  const bySuppression = new Map<Suppression, Finding[]>();
  for (const { finding, suppression } of result.suppressed) {
    bySuppression.set(suppression, [...(bySuppression.get(suppression) ?? []), finding]);
  }
  for (const [suppression, findings] of bySuppression) {
    lines.push(`${indent}suppressed (${scopeOf(suppression)}): ${suppression.reason}`);
    for (const f of findings) lines.push(`${indent}  - ${relativePath(stack, f.path)} (${f.subject}): ${f.message}`);
  }
  return lines;
}

/** Every rule's result on one stack, one line each, with findings and suppression reasons below. */
export function renderReport(report: PolicyReport): string {
  const idWidth = Math.max(...report.results.map((r) => r.rule.id.length));
  const lines = [`stack ${report.stack}`, ...report.results.flatMap((r) => resultLines(report.stack, r, idWidth))];
  for (const s of report.unusedSuppressions) {
    lines.push(`  note: suppression of ${s.ruleId} (${scopeOf(s)}) covered nothing on ${report.stack}; delete it if it is stale`);
  }
  return lines.join('\n');
}

const SEVERITY_ORDER: readonly RuleStatus[] = ['passed', 'suppressed', 'warned', 'failed'];

/** The worst status of each rule over all stacks, by rule id. */
export function overallStatus(reports: readonly PolicyReport[]): ReadonlyMap<string, RuleStatus> {
  const worst = new Map<string, RuleStatus>();
  for (const result of reports.flatMap((r) => r.results)) {
    const current = worst.get(result.rule.id) ?? 'passed';
    worst.set(result.rule.id, SEVERITY_ORDER.indexOf(result.status) > SEVERITY_ORDER.indexOf(current) ? result.status : current);
  }
  return worst;
}

/** "35 rules: 35 passed (2 suppressed) on dev, prod", with failures and warnings when there are any. */
export function summary(reports: readonly PolicyReport[]): string {
  const statuses = [...overallStatus(reports).values()];
  const count = (s: RuleStatus) => statuses.filter((x) => x === s).length;
  const passed = count('passed') + count('suppressed');
  const parts = [`${passed} passed (${count('suppressed')} suppressed)`];
  if (count('failed') > 0) parts.push(`${count('failed')} failed`);
  if (count('warned') > 0) parts.push(`${count('warned')} with warnings`);
  return `${statuses.length} rules: ${parts.join(', ')} on ${reports.map((r) => r.stack).join(', ')}`;
}

import { Rule } from './rule';
import { Suppression } from './suppression';

/** The command that regenerates RULES.md (-s: npm prints its banner on stdout); the in-step test names it. */
export const RULES_MD_COMMAND = 'npm run -s policy -- --list --markdown > stacks/policy/RULES.md';

const ids = (list: readonly string[]) => (list.length > 0 ? list.join(', ') : '-');

/** The rule table for a terminal: id, severity, checkov, trivy, title. */
export function renderRuleTable(rules: readonly Rule[]): string {
  const rows = [
    ['ID', 'SEVERITY', 'CHECKOV', 'TRIVY', 'TITLE'],
    ...rules.map((r) => [r.id, r.severity, ids(r.checkov), ids(r.trivy), r.title]),
  ];
  const widths = rows[0].map((_, col) => Math.max(...rows.map((row) => row[col].length)));
  return rows.map((row) => row.map((cell, col) => (col === row.length - 1 ? cell : cell.padEnd(widths[col]))).join('  ')).join('\n');
}

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** RULES.md: the rules, then the suppressions the default stack declares, with their reasons. */
export function renderRulesMarkdown(rules: readonly Rule[], suppressions: readonly Suppression[]): string {
  const lines = [
    '# Policy rules',
    '',
    `Generated from the rule descriptors in \`stacks/policy/rules/\`; do not edit. Regenerate with \`${RULES_MD_COMMAND}\`.`,
    '',
    `${rules.length} rules. An unsuppressed \`error\` finding stops \`cdktf synth\`; a \`warning\` is printed. \`npm run policy\` shows every rule's result per environment.`,
    '',
    '| Rule | Severity | checkov | trivy | What it checks |',
    '| --- | --- | --- | --- | --- |',
    ...rules.map(
      (r) => `| \`${r.id}\` | ${r.severity} | ${ids(r.checkov)} | ${ids(r.trivy)} | **${cell(r.title)}.** ${cell(r.description)} |`,
    ),
    '',
    '## Suppressions of the default stack',
    '',
    'Declared in `stacks/policy/suppressions.ts`; each needs a rule id and a reason, and both appear in the output.',
    '',
    '| Rule | Scope | Reason |',
    '| --- | --- | --- |',
    ...suppressions.map((s) => `| \`${s.ruleId}\` | ${s.path === undefined ? 'whole stack' : `\`${s.path}\``} | ${cell(s.reason)} |`),
    '',
  ];
  return lines.join('\n');
}

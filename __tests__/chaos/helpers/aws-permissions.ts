import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { actionsOfFault } from '../../stacks/aws-calls';

const ROOT = join(__dirname, '../../..');
export const BEGIN = '<!-- aws-permissions:begin -->';
export const END = '<!-- aws-permissions:end -->';

/** Every fault id an experiment document names, wherever it is (hypothesis, method, rollbacks, tolerances). */
function faultIds(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) faultIds(item, found);
  else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if (record.type === 'fault' && typeof record.id === 'string') found.add(record.id);
    for (const child of Object.values(record)) faultIds(child, found);
  }
  return found;
}

/** The README's table, derived from the shipped experiments and the drivers' code. */
export function permissionsTable(): string {
  const rows = readdirSync(join(ROOT, 'chaos/experiments'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const document: unknown = parse(readFileSync(join(ROOT, 'chaos/experiments', file), 'utf8'));
      const ids = [...faultIds(document)].sort();
      const actions = [...new Set(ids.flatMap((id) => actionsOfFault(ROOT, id)))].sort();
      const alarms = JSON.stringify(document).includes('"stop-conditions"') ? ['cloudwatch:DescribeAlarms'] : [];
      const needs = [...actions, ...alarms].map((a) => `\`${a}\``).join(', ') || 'none';
      return `| \`${file}\` | ${ids.map((id) => `\`${id}\``).join(', ')} | ${needs} |`;
    });
  return ['| Experiment | Fault modules | AWS actions (besides `sts:GetCallerIdentity`, every run) |', '|---|---|---|', ...rows].join('\n');
}

import { ChangeKind } from './plan-json';
import { ReviewedChange, RiskFlag } from './risk';
import { Charge, CostDelta, hasUnknown, monthly } from './cost';

/** The policy results for the head, as the review shows them. */
export interface PolicySummary {
  readonly rules: number;
  readonly failures: readonly { readonly rule: string; readonly resource: string; readonly message: string; readonly warning: boolean }[];
  readonly suppressed: readonly { readonly rule: string; readonly reason: string }[];
}

export interface StackReview {
  readonly stack: string;
  /** `unchanged`: the head synthesizes the base's configuration, so nothing was planned. */
  readonly mode: 'what-if' | 'live' | 'unchanged';
  readonly changes: readonly ReviewedChange[];
  /** Resources the base state's consistency proof could not vouch for (see `WhatIfResult`). */
  readonly unvouched?: readonly string[];
  /** The monthly cost delta from the checked-in price table. */
  readonly cost?: CostDelta;
}

const ORDER: readonly ChangeKind[] = ['replace', 'delete', 'update', 'create'];
const HEADINGS: Readonly<Record<ChangeKind, string>> = {
  replace: 'Replace',
  delete: 'Destroy',
  update: 'Change in place',
  create: 'Add',
  'no-op': 'No-op',
  read: 'Read',
};
const ICON: Readonly<Record<RiskFlag['kind'], string>> = { downtime: '🔴 downtime', 'data-loss': '🔴 data loss', security: '🟠 security' };

function cell(v: unknown): string {
  const text = v === undefined || v === null ? '–' : typeof v === 'string' ? v : JSON.stringify(v);
  const short = text.length > 120 ? `${text.slice(0, 117)}…` : text;
  return `\`${short.replace(/\|/g, '\\|').replace(/`/g, "'").replace(/\n/g, ' ')}\``;
}

function count(changes: readonly ReviewedChange[], kind: ChangeKind): number {
  return changes.filter((c) => c.kind === kind).length;
}

function usd(n: number, signed = false): string {
  const text = `${Math.abs(n).toFixed(2)} USD`;
  return signed ? `${n < 0 ? '−' : '+'}${text}` : text;
}

function side(charges: readonly Charge[] | undefined): string {
  if (!charges) return '–';
  if (charges.length === 0) return '0';
  const unknown = charges.flatMap((c) => ('unknown' in c ? [c.unknown] : []));
  if (unknown.length > 0) return `unknown (${unknown.join('; ')})`;
  return `${usd(monthly(charges))} (${charges.map((c) => ('what' in c ? c.what : '')).join(', ')})`;
}

/** The monthly cost delta: the total first, then one row per resource; unknown rows are left out of the total. */
export function renderCost(cost: CostDelta): string[] {
  const basis = `on-demand in ${cost.region}, ${PRICE_NOTE} [price table of ${cost.table.date}](review/prices.ts)`;
  if (cost.lines.length === 0) return [`**Monthly cost: no change** (${basis}).`, ''];
  const unknown = cost.unknown > 0 ? `, plus ${cost.unknown} resource${cost.unknown === 1 ? '' : 's'} the table cannot price` : '';
  return [
    `**Monthly cost: ${usd(cost.deltaUsd, true)}${unknown}** (${basis}).`,
    '',
    '| resource | before | after | per month |',
    '| --- | --- | --- | --- |',
    ...cost.lines.map((l) => {
      const delta = hasUnknown(l.before) || hasUnknown(l.after) ? 'unknown' : usd(monthly(l.after) - monthly(l.before), true);
      return `| \`${l.address}\` | ${side(l.before)} | ${side(l.after)} | ${delta} |`;
    }),
    '',
  ];
}

const PRICE_NOTE = '730 h a month, before data transfer and usage charges:';

/** One stack's review: counts, risks first, then the changes grouped, diffs collapsed. */
export function renderStackReview(review: StackReview, baseLabel: string): string {
  const { changes } = review;
  const lines: string[] = [`## Plan review: \`${review.stack}\``, ''];
  const how =
    review.mode === 'what-if'
      ? `offline what-if: the head planned by the real provider against a synthetic state of \`${baseLabel}\``
      : 'live `terraform plan` against the real backend';
  const unvouched = review.unvouched ?? [];
  if (unvouched.length > 0) {
    lines.push(
      `⚠️ **The base state is not proven for ${unvouched.length} resource${unvouched.length === 1 ? '' : 's'}**: planning \`${baseLabel}\` against its synthetic state still changes ${unvouched.map((a) => `\`${a}\``).join(', ')}. The review cannot vouch for them: what it shows for them may not be this change's doing.`,
      '',
    );
  }
  if (review.mode === 'unchanged') {
    lines.push(`**No changes.** The head synthesizes the same configuration as \`${baseLabel}\`: not planned.`, '');
  } else if (changes.length === 0) {
    lines.push(`**No changes.** The head plans nothing different from \`${baseLabel}\` (${how}).`, '');
  } else {
    lines.push(
      `**${count(changes, 'create')} to add, ${count(changes, 'update')} to change, ${count(changes, 'replace')} to replace, ${count(changes, 'delete')} to destroy** · ${how}`,
      '',
    );
    if (review.cost) lines.push(...renderCost(review.cost));
    const risky = changes.flatMap((c) => c.flags.map((f) => ({ c, f })));
    const bySeverity = [...risky].sort((x, y) => (x.f.kind === 'security' ? 1 : 0) - (y.f.kind === 'security' ? 1 : 0));
    lines.push('### Risks', '');
    if (bySeverity.length === 0) lines.push('None found: no replacement causes downtime and no security-relevant resource changes.', '');
    for (const { c, f } of bySeverity) lines.push(`- ${ICON[f.kind]} \`${c.address}\`: ${f.message}`);
    if (bySeverity.length > 0) lines.push('');
    for (const kind of ORDER) {
      const group = changes.filter((c) => c.kind === kind);
      if (group.length === 0) continue;
      lines.push(`### ${HEADINGS[kind]} (${group.length})`, '');
      // Creates are counted by type; only a create flagged as risky in itself is listed on its own.
      const listed = kind === 'create' ? group.filter((c) => c.flags.length > 0) : group;
      if (kind === 'create') {
        const byType = new Map<string, number>();
        for (const c of group.filter((c) => c.flags.length === 0)) byType.set(c.type, (byType.get(c.type) ?? 0) + 1);
        for (const [type, n] of [...byType].sort(([a], [b]) => a.localeCompare(b))) lines.push(`- ${n} × \`${type}\``);
      }
      for (const c of listed) {
        const forced = c.diffs.filter((d) => d.forcesReplacement).map((d) => `\`${d.path}\``);
        const doubt = unvouched.includes(c.address) ? ' (not vouched for: see above)' : '';
        lines.push(`- \`${c.address}\`${forced.length ? ` — replaced because of ${forced.join(', ')}` : ''}${doubt}`);
        if (c.diffs.length > 0) {
          lines.push(
            '',
            `  <details><summary>${c.diffs.length} attribute${c.diffs.length === 1 ? '' : 's'}</summary>`,
            '',
            '  | attribute | before | after |',
            '  | --- | --- | --- |',
            ...c.diffs.map(
              (d) => `  | \`${d.path}\`${d.forcesReplacement ? ' (forces replacement)' : ''} | ${cell(d.before)} | ${cell(d.after)} |`,
            ),
            '',
            '  </details>',
            '',
          );
        }
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

/** The head's policy results, once for every stack: a line per stack, violations named with their stack, suppressions once. */
export function renderPolicies(policies: ReadonlyMap<string, PolicySummary>): string {
  const lines: string[] = ['## Policy (head)', ''];
  for (const [stack, p] of policies) {
    lines.push(
      p.failures.length === 0
        ? `- \`${stack}\`: ✅ ${p.rules} rules pass${p.suppressed.length ? ` (${p.suppressed.length} suppressed)` : ''}`
        : `- \`${stack}\`: ❌ ${p.failures.length} violation${p.failures.length === 1 ? '' : 's'} of ${p.rules} rules`,
    );
  }
  const failures = [...policies].flatMap(([stack, p]) => p.failures.map((f) => ({ stack, ...f })));
  if (failures.length > 0) lines.push('');
  for (const f of failures) lines.push(`- **${f.rule}** \`${f.stack}\` \`${f.resource}\`: ${f.message}`);
  const suppressed = new Map<string, { rule: string; reason: string }>();
  for (const p of policies.values()) for (const s of p.suppressed) suppressed.set(`${s.rule}\n${s.reason}`, s);
  if (suppressed.size > 0) {
    lines.push('', '<details><summary>suppressed rules</summary>', '');
    for (const s of suppressed.values()) lines.push(`- **${s.rule}**: ${s.reason}`);
    lines.push('', '</details>');
  }
  lines.push('');
  return lines.join('\n');
}

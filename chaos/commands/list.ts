import { z } from 'zod';
import { ALL_FAULTS } from '../drivers';
import type { Fault } from '../faults/types';
import type { CliIo } from '../io';

export interface ListCommandOptions {
  readonly format: 'text' | 'markdown' | 'json';
}

/** One argument of a fault, read from its schema. */
export interface ArgumentDoc {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly description: string;
  readonly default?: unknown;
}

function typeOf(node: unknown): string {
  if (typeof node !== 'object' || node === null) return 'any';
  const n: Record<string, unknown> = { ...node };
  if (typeof n.type === 'string') return n.type === 'array' ? `${typeOf(n.items)}[]` : n.type;
  if (Array.isArray(n.enum)) return n.enum.map((v) => JSON.stringify(v)).join(' | ');
  const alternatives = Array.isArray(n.anyOf) ? n.anyOf : Array.isArray(n.oneOf) ? n.oneOf : null;
  if (alternatives) return alternatives.map(typeOf).join(' | ');
  return 'any';
}

/** Arguments as documented by the fault's own schema, so the catalog never drifts from the code. */
export function argumentDocs(fault: Fault): ArgumentDoc[] {
  const schema = z.toJSONSchema(fault.args, { io: 'input', unrepresentable: 'any' });
  const properties = typeof schema.properties === 'object' && schema.properties !== null ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  return Object.entries(properties).map(([name, node]) => {
    const n: Record<string, unknown> = typeof node === 'object' && node !== null ? { ...node } : {};
    return {
      name,
      type: typeOf(n),
      required: required.has(name),
      description: typeof n.description === 'string' ? n.description : '',
      ...(n.default === undefined ? {} : { default: n.default }),
    };
  });
}

/** The ports a fault uses, as the catalog shows them: `orchestrator (swarm), host`. */
function portsOf(fault: Fault): string {
  return (
    fault.requires
      .map((r) => `${r.adapter === undefined ? r.port : `${r.port} (${r.adapter})`}${r.or === undefined ? '' : ` or ${r.or}`}`)
      .join(', ') || 'none'
  );
}

function text(faults: readonly Fault[]): string {
  return faults
    .map((f) => {
      const args = argumentDocs(f).map(
        (a) =>
          `    ${a.name}${a.required ? '' : '?'}: ${a.type}${a.default === undefined ? '' : ` = ${JSON.stringify(a.default)}`}  ${a.description}`,
      );
      return [
        `${f.id}  (${f.kind}${f.destructive ? ', destructive' : ''}${f.hasRollback ? ', undone in rollbacks' : ''}${f.requires.length === 0 ? '' : `; uses ${portsOf(f)}`})`,
        `    ${f.description}`,
        ...args,
      ].join('\n');
    })
    .join('\n\n');
}

/** The catalog table embedded in chaos/README.md. */
export function faultCatalogMarkdown(faults: readonly Fault[]): string {
  const rows = faults.map((f) => {
    const args = argumentDocs(f)
      .map(
        (a) =>
          `\`${a.name}${a.required ? '' : '?'}\`: ${a.type}${a.default === undefined ? '' : ` (default ${JSON.stringify(a.default)})`}`,
      )
      .join('<br>');
    return `| \`${f.id}\` | ${f.kind} | ${f.destructive ? 'yes' : 'no'} | ${portsOf(f)} | ${f.description} | ${args.replace(/\|/g, '\\|')} |`;
  });
  return ['| Id | Kind | Destructive | Uses | What it does | Arguments |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

/** `chaos list`: the catalog of faults and probes, generated from the descriptors. */
export async function listCommand(options: ListCommandOptions, io: CliIo): Promise<number> {
  switch (options.format) {
    case 'text':
      io.stdout(`${text(ALL_FAULTS)}\n`);
      break;
    case 'markdown':
      io.stdout(`${faultCatalogMarkdown(ALL_FAULTS)}\n`);
      break;
    case 'json':
      io.stdout(
        `${JSON.stringify(
          ALL_FAULTS.map((f) => ({
            id: f.id,
            kind: f.kind,
            destructive: f.destructive,
            description: f.description,
            undoable: f.hasRollback,
            uses: f.requires,
            arguments: argumentDocs(f),
          })),
          null,
          2,
        )}\n`,
      );
      break;
  }
  return 0;
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AWS_PROVIDER, OfflineTerraform, terraform } from './terraform';

/** A Terraform type as the schema JSON writes it: "string", ["list","string"], ["object",{...}]. */
export type TfType = string | [string, unknown];

/** One attribute: its type, and whether the configuration may or must set it and AWS may fill it. */
export interface AttributeSchema {
  readonly type?: TfType;
  readonly nested_type?: unknown;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}

/** The shape of one resource type's attributes and nested blocks (what the synthetic state needs). */
export interface BlockSchema {
  readonly attributes: Readonly<Record<string, AttributeSchema>>;
  readonly block_types: Readonly<
    Record<string, { readonly nesting_mode: string; readonly max_items?: number; readonly block: BlockSchema }>
  >;
}

export type ResourceSchemas = Readonly<Record<string, { readonly version: number; readonly block: BlockSchema }>>;

const cacheDir = resolve(__dirname, '..', 'node_modules', '.cache', 'platform-review');

/**
 * The AWS provider's resource schemas, from `terraform providers schema -json` (about 10 s), cached per
 * provider version under node_modules/.cache so later reviews skip it. Only the resource types in
 * `types` are kept in memory.
 */
export async function resourceSchemas(tf: OfflineTerraform, initializedDir: string): Promise<ResourceSchemas> {
  const cacheFile = join(cacheDir, `aws-${AWS_PROVIDER.version}-resource-schemas-v2.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, 'utf8')) as ResourceSchemas;
  const out = JSON.parse(await terraform(tf, initializedDir, ['providers', 'schema', '-json'])) as {
    provider_schemas: Record<string, { resource_schemas: Record<string, { version: number; block: BlockSchema }> }>;
  };
  const schemas = out.provider_schemas[AWS_PROVIDER.source]?.resource_schemas;
  if (!schemas) throw new Error(`terraform providers schema: no schema for ${AWS_PROVIDER.source}`);
  const compact: Record<string, { version: number; block: BlockSchema }> = {};
  for (const [type, s] of Object.entries(schemas)) compact[type] = { version: s.version, block: strip(s.block) };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(compact));
  return compact;
}

/**
 * Keeps only what the state builder reads (types, required/optional/computed flags and nesting),
 * dropping descriptions. (The cache file name carries a version: older caches lack the flags.)
 */
function strip(block: BlockSchema): BlockSchema {
  const attributes: Record<string, AttributeSchema> = {};
  for (const [name, a] of Object.entries(block.attributes ?? {})) {
    attributes[name] = {
      type: a.type,
      ...(a.nested_type !== undefined && { nested_type: a.nested_type }),
      ...(a.required && { required: true }),
      ...(a.optional && { optional: true }),
      ...(a.computed && { computed: true }),
    };
  }
  const block_types: Record<string, { nesting_mode: string; max_items?: number; block: BlockSchema }> = {};
  for (const [name, b] of Object.entries(block.block_types ?? {})) {
    block_types[name] = {
      nesting_mode: b.nesting_mode,
      ...(b.max_items !== undefined && { max_items: b.max_items }),
      block: strip(b.block),
    };
  }
  return { attributes, block_types };
}

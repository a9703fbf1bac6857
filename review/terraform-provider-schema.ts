import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AWS_PROVIDER, OfflineTerraform, terraform } from './terraform';
import { parseJson } from './parse-json';

/**
 * A Terraform type as the schema JSON writes it: "string", ["list","string"], ["object",{...}]. An
 * object type with optional attributes has a third element, the list of them, hence the rest.
 */
export type TfType = string | [string, unknown, ...unknown[]];

/** One attribute: its type, and whether the configuration may or must set it and AWS may fill it. */
interface AttributeSchema {
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

export const tfTypeSchema: z.ZodType<TfType> = z.union([z.string(), z.tuple([z.string(), z.unknown()], z.unknown())]);

const attributeSchema: z.ZodType<AttributeSchema> = z.looseObject({
  type: tfTypeSchema.optional(),
  nested_type: z.unknown().optional(),
  required: z.boolean().optional(),
  optional: z.boolean().optional(),
  computed: z.boolean().optional(),
});

/** Terraform leaves out a block's attributes or nested blocks when it has none. */
const blockSchema: z.ZodType<BlockSchema> = z.lazy(() =>
  z.looseObject({
    attributes: z.record(z.string(), attributeSchema).default({}),
    block_types: z
      .record(z.string(), z.looseObject({ nesting_mode: z.string(), max_items: z.number().optional(), block: blockSchema }))
      .default({}),
  }),
);

/** Both `terraform providers schema -json`'s resource_schemas and the cache file have this shape. */
const resourceSchemasSchema = z.record(z.string(), z.looseObject({ version: z.number(), block: blockSchema }));

/** The schema output, where only the AWS provider's resource schemas are read (and checked). */
const providersSchema = z.looseObject({
  provider_schemas: z.looseObject({
    [AWS_PROVIDER.source]: z.looseObject({ resource_schemas: resourceSchemasSchema }).optional(),
  }),
});

const cacheDir = resolve(__dirname, '..', 'node_modules', '.cache', 'platform-review');

/**
 * The AWS provider's resource schemas, from `terraform providers schema -json` (about 10 s), cached per
 * provider version under node_modules/.cache so later reviews skip it. Only what the state builder
 * reads is kept (see `strip`).
 */
export async function resourceSchemas(tf: OfflineTerraform, initializedDir: string): Promise<ResourceSchemas> {
  const cacheFile = join(cacheDir, `aws-${AWS_PROVIDER.version}-resource-schemas-v2.json`);
  if (existsSync(cacheFile))
    return parseJson(resourceSchemasSchema, readFileSync(cacheFile, 'utf8'), cacheFile, 'provider schema cache (delete it to rebuild)');
  const out = parseJson(
    providersSchema,
    await terraform(tf, initializedDir, ['providers', 'schema', '-json']),
    'terraform providers schema -json',
    'provider schema JSON',
  );
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
  for (const [name, a] of Object.entries(block.attributes)) {
    attributes[name] = {
      type: a.type,
      ...(a.nested_type !== undefined && { nested_type: a.nested_type }),
      ...(a.required && { required: true }),
      ...(a.optional && { optional: true }),
      ...(a.computed && { computed: true }),
    };
  }
  const block_types: Record<string, { nesting_mode: string; max_items?: number; block: BlockSchema }> = {};
  for (const [name, b] of Object.entries(block.block_types)) {
    block_types[name] = {
      nesting_mode: b.nesting_mode,
      ...(b.max_items !== undefined && { max_items: b.max_items }),
      block: strip(b.block),
    };
  }
  return { attributes, block_types };
}

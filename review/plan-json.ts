import { z } from 'zod';
import { parseJson } from './parse-json';

/**
 * The parts of `terraform show -json <plan>` the review reads, validated once at the edge.
 * Values are arbitrary JSON (the provider's attributes), so they stay `unknown` until a rule looks.
 */
const json = z.unknown();

const resourceChangeSchema = z.looseObject({
  address: z.string(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  name: z.string(),
  change: z.looseObject({
    actions: z.array(z.enum(['no-op', 'create', 'read', 'update', 'delete'])),
    before: json,
    after: json,
    after_unknown: json.optional(),
    replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
  }),
  action_reason: z.string().optional(),
});

const plannedResourceSchema = z.looseObject({
  address: z.string(),
  mode: z.enum(['managed', 'data']),
  type: z.string(),
  name: z.string(),
  provider_name: z.string(),
  schema_version: z.number(),
  values: z.record(z.string(), json),
});

const planSchema = z.looseObject({
  terraform_version: z.string(),
  planned_values: z.looseObject({
    root_module: z.looseObject({ resources: z.array(plannedResourceSchema).default([]) }),
  }),
  resource_changes: z.array(resourceChangeSchema).default([]),
});

export type ResourceChange = z.infer<typeof resourceChangeSchema>;
export type PlanJson = z.infer<typeof planSchema>;

/** Parses `terraform show -json` output; a shape we do not know is a bug worth a clear message. */
export function parsePlan(text: string, source: string): PlanJson {
  return parseJson(planSchema, text, source, 'plan JSON');
}

/** What a change does to one resource, in reviewer's words. */
export type ChangeKind = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read';

export function changeKind(actions: readonly string[]): ChangeKind {
  const key = actions.join(',');
  switch (key) {
    case 'create':
    case 'update':
    case 'delete':
    case 'no-op':
    case 'read':
      return key;
    case 'delete,create':
    case 'create,delete':
      return 'replace';
    default:
      throw new Error(`unknown plan action list: ${key}`);
  }
}

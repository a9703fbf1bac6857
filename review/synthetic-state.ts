import { randomUUID } from 'node:crypto';
import { isJsonObject, jsonObjectSchema, type JsonObject, type JsonValue } from '../contract/json';
import { AWS_PROVIDER } from './terraform';
import { BlockSchema, ResourceSchemas, TfType, tfTypeSchema } from './terraform-provider-schema';
import { PlanJson, ResourceChange, changeKind } from './plan-json';
import { placeholder } from './placeholder';
import { evaluateBase64encode, evaluateJsonencode } from './hcl-jsonencode';
import { policyDocumentJson } from './policy-document';
import { partitionOf, providerDefault } from './provider-defaults';
import { StackConfig } from './stack-config';

/**
 * A Terraform state (format 4) of the base, built from its configuration and the provider schema
 * (`configState`), with every value only AWS would know (ids, ARNs, computed fields) replaced by a
 * placeholder. Each placeholder is derived from the resource address and attribute path, so it is the
 * same wherever it is read; references between resources are made consistent by `correctState` (a
 * plan of the base against the state computes every derived value from the placeholders, and those
 * values are merged back). Planning the head against the result with `-refresh=false` then lets the
 * provider itself say what is updated and what is replaced, with no AWS account.
 */
export interface TerraformState {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Record<string, never>;
  readonly resources: StateResource[];
}

interface StateResource {
  readonly mode: 'managed';
  readonly type: string;
  readonly name: string;
  readonly provider: string;
  readonly instances: { schema_version: number; attributes: JsonObject; sensitive_attributes: never[] }[];
}

/** The plan's values stay `unknown` (see plan-json.ts), `after_unknown` among them. */
function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Where a block sits, for its placeholders and its tags_all. */
interface BlockContext {
  readonly resourceType: string;
  readonly address: string;
  readonly region: string;
  /** The provider's default_tags, which every resource's tags_all includes. */
  readonly defaultTags?: JsonObject;
}

/** `after` where it is known, the state's value where the plan says it is unknown. */
function mergeKnown(state: JsonValue, after: JsonValue, unknown: unknown): JsonValue {
  if (unknown === true) return state;
  if (Array.isArray(after)) {
    const s = Array.isArray(state) ? state : [];
    const u: readonly unknown[] = Array.isArray(unknown) ? unknown : [];
    return after.map((a, i) => mergeKnown(s[i] ?? null, a, u[i]));
  }
  return isJsonObject(after) ? mergeObject(isJsonObject(state) ? state : {}, after, unknown) : after;
}

function mergeObject(state: JsonObject, after: JsonObject, unknown: unknown): JsonObject {
  const u = isRecord(unknown) ? unknown : {};
  const out: JsonObject = {};
  for (const key of new Set([...Object.keys(after), ...Object.keys(u)])) {
    out[key] = mergeKnown(state[key] ?? null, after[key] ?? null, u[key]);
  }
  return out;
}

/**
 * Folds a plan of the base against `state` back into it: every resource the plan would update or
 * replace takes the plan's known values (derived from the placeholders), keeping its placeholders
 * where the plan does not know. Returns how many resources changed, so the caller can stop at zero.
 */
export function correctState(state: TerraformState, plan: PlanJson): { state: TerraformState; corrected: number } {
  const byAddress = new Map<string, ResourceChange>(plan.resource_changes.map((c) => [c.address, c]));
  let corrected = 0;
  const resources = state.resources.map((r) => {
    const change = byAddress.get(`${r.type}.${r.name}`);
    if (!change) return r;
    const kind = changeKind(change.change.actions);
    if (kind !== 'update' && kind !== 'replace') return r;
    corrected += 1;
    const [instance] = r.instances;
    // The plan leaves values unchecked; the state needs them as JSON, and an updated resource's are an object.
    const after = jsonObjectSchema.safeParse(change.change.after);
    if (!after.success) throw new Error(`${change.address}: the consistency plan's "after" is not a JSON object`);
    const attributes = mergeObject(instance.attributes, after.data, change.change.after_unknown);
    return { ...r, instances: [{ ...instance, attributes }] };
  });
  return { state: { ...state, serial: state.serial + 1, resources }, corrected };
}

const PURE_REF = /^\$\{((?:data\.)?aws_[a-z0-9_]+)\.([\w-]+)\.([a-z0-9_]+)\}$/;
const ELEMENT_SPLIT = /\$\{element\(split\("(.)", ((?:data\.)?aws_[a-z0-9_]+)\.([\w-]+)\.([a-z0-9_]+)\), (\d+)\)\}/g;
const ANY_REF = /\$\{((?:data\.)?aws_[a-z0-9_]+)\.([\w-]+)\.([a-z0-9_]+)\}/g;

/**
 * Writes into the state every argument that the configuration gives as a plain reference to another
 * resource's attribute (`${aws_vpc.x.id}`), or as text with only such references in it
 * (`${aws_ecr_repository.r.repository_url}:v1`), taking the referenced value from the state. This
 * makes references consistent without a round of planning per level of the dependency graph;
 * `${jsonencode(<literal>)}` is evaluated too (an ECS task's container definitions: a placeholder
 * there forces the task's replacement, moving every service and data source that refers to it);
 * other functions (base64encode, data sources' documents) are left to `correctState`.
 */
export function resolveReferences(state: TerraformState, config: StackConfig): number {
  const byAddress = new Map(state.resources.map((r) => [`${r.type}.${r.name}`, r.instances[0].attributes]));
  // data.aws_partition is fixed by the region; other data sources are left to the consistency plans.
  const partition: JsonObject = partitionOf(stackRegion(config));
  // So is a policy document's JSON, built from its configuration with its references resolved.
  const documents = config.data?.aws_iam_policy_document ?? {};
  const lookup = (type: string, name: string, attr: string): JsonValue | undefined => {
    if (type === 'data.aws_partition') return partition[attr];
    if (type === 'data.aws_iam_policy_document')
      return attr === 'json' && documents[name] ? policyDocumentJson(documents[name], resolveString) : undefined;
    return byAddress.get(`${type}.${name}`)?.[attr];
  };
  const resolveString = (input: string): JsonValue | undefined => {
    if (input.startsWith('${jsonencode(')) return evaluateJsonencode(input, lookup);
    if (input.startsWith('${base64encode(')) return evaluateBase64encode(input, lookup);
    // element(split(":", arn), n): a part of an ARN (the account in a policy's resource).
    let unresolved = false;
    const text = input.replace(ELEMENT_SPLIT, (_m, sep: string, t: string, n: string, a: string, index: string) => {
      const v = lookup(t, n, a);
      const part = typeof v === 'string' ? v.split(sep)[Number(index)] : undefined;
      if (part === undefined) unresolved = true;
      return part ?? _m;
    });
    if (unresolved) return undefined;
    const pure = PURE_REF.exec(text);
    if (pure) return lookup(pure[1], pure[2], pure[3]);
    const withoutRefs = text.replace(ANY_REF, '');
    if (withoutRefs === text) return text !== input && !text.includes('${') ? text : undefined;
    if (withoutRefs.includes('${')) return undefined;
    let complete = true;
    const out = text.replace(ANY_REF, (_m, t: string, n: string, a: string) => {
      const v = lookup(t, n, a);
      if (typeof v !== 'string' && typeof v !== 'number') complete = false;
      return String(v);
    });
    return complete ? out : undefined;
  };
  let changes = 0;
  /** Resolves one configured value into the state's value for it (`current`), writing through `set`. */
  const walk = (configValue: JsonValue, current: JsonValue | undefined, set: (value: JsonValue) => void): void => {
    if (typeof configValue === 'string') {
      const resolved = resolveString(configValue);
      if (resolved !== undefined && JSON.stringify(resolved) !== JSON.stringify(current)) {
        set(resolved);
        changes += 1;
      }
    } else if (Array.isArray(configValue)) {
      if (!Array.isArray(current)) return;
      configValue.forEach((c, i) => {
        if (i < current.length) walk(c, current[i], (value) => (current[i] = value));
      });
    } else if (isJsonObject(configValue)) {
      // A block is an object in cdktf's JSON and a one-element list in the state.
      const holder = Array.isArray(current) && current.length === 1 ? current[0] : current;
      if (!isJsonObject(holder)) return;
      for (const [k, v] of Object.entries(configValue)) walk(v, holder[k], (value) => (holder[k] = value));
    }
  };
  for (let pass = 0; pass < 10; pass++) {
    const before = changes;
    for (const [type, resources] of Object.entries(config.resource ?? {})) {
      for (const [name, args] of Object.entries(resources)) {
        const attributes = byAddress.get(`${type}.${name}`);
        if (!attributes) continue;
        for (const [k, v] of Object.entries(args)) {
          if (k !== 'depends_on' && k !== 'lifecycle') walk(v, attributes[k], (value) => (attributes[k] = value));
        }
      }
    }
    if (changes === before) break;
  }
  return changes;
}

const HAS_EXPRESSION = /\$\{/;

/** The element type of a collection type (["list","string"] gives "string"), checked: TfType leaves it unknown. */
function elementType(type: TfType | undefined): TfType | undefined {
  const element = Array.isArray(type) ? tfTypeSchema.safeParse(type[1]) : undefined;
  return element?.success ? element.data : undefined;
}

/** A literal configuration value converted to the type the schema gives, or undefined when it is an expression. */
function literal(value: JsonValue | undefined, type: TfType | undefined): JsonValue | undefined {
  if (value === null || value === undefined) return null;
  const kind = Array.isArray(type) ? type[0] : type;
  if (typeof value === 'string' && HAS_EXPRESSION.test(value)) return undefined;
  switch (kind) {
    case 'string':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
    case 'number': {
      const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
      return Number.isFinite(n) ? n : undefined;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      return value === 'true' ? true : value === 'false' ? false : undefined;
    case 'list':
    case 'set': {
      // Elements that are references stay as written, for `resolveReferences` to fill in.
      if (!Array.isArray(value)) return undefined;
      const element = elementType(type);
      return value.map((v) => literal(v, element) ?? (typeof v === 'string' ? v : null));
    }
    case 'map': {
      if (!isJsonObject(value)) return undefined;
      const element = elementType(type);
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(value)) out[k] = literal(v, element) ?? (typeof v === 'string' ? v : null);
      return out;
    }
    default:
      return undefined; // objects, tuples, dynamic: left to the consistency plans
  }
}

/** SDKv2's zero value of a type, which it stores for an argument left out inside a block. */
function zeroValue(type: TfType | undefined): JsonValue {
  const kind = Array.isArray(type) ? type[0] : type;
  switch (kind) {
    case 'string':
      return '';
    case 'number':
      return 0;
    case 'bool':
      return false;
    case 'list':
    case 'set':
      return [];
    default:
      return null;
  }
}

/** The AWS provider's region as configured (a literal), else the provider's default. */
function stackRegion(config: StackConfig): string {
  const configured = config.provider?.aws?.[0]?.region;
  return typeof configured === 'string' && !HAS_EXPRESSION.test(configured) ? configured : 'us-east-1';
}

/** One block's state attributes from its configuration: literals as written, placeholders for what AWS fills. */
function blockFromConfig(config: JsonObject, block: BlockSchema, ctx: BlockContext, path: string): JsonObject {
  const out: JsonObject = {};
  for (const [name, a] of Object.entries(block.attributes)) {
    const attrPath = path ? `${path}.${name}` : name;
    const given = a.nested_type === undefined ? literal(config[name], a.type) : undefined;
    const fallback = config[name] === undefined ? providerDefault(ctx.resourceType, attrPath) : undefined;
    if (config[name] !== undefined && given !== undefined) out[name] = given;
    else if (fallback !== undefined) out[name] = fallback;
    else if (a.computed || config[name] !== undefined) out[name] = placeholder(a.type, ctx.resourceType, ctx.address, attrPath, ctx.region);
    // An optional flag left out is false in the state of most resources (SDKv2 stores the zero value),
    // and so is every optional argument left out inside a block ("" , 0, false, []), as its plans show.
    else if (a.optional && a.type === 'bool') out[name] = false;
    else out[name] = path && a.optional ? zeroValue(a.type) : null;
  }
  // tags_all is the provider's default tags merged with the resource's own: known without a plan, and
  // a resource whose tags_all moved would hold back every data source that reads it by one round.
  if (!path && block.attributes.tags_all && ctx.defaultTags) {
    const own = isJsonObject(out.tags) ? out.tags : {};
    out.tags_all = { ...ctx.defaultTags, ...own };
  }
  for (const [name, b] of Object.entries(block.block_types)) {
    const value = config[name];
    const given: JsonValue[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
    const items = given.filter(isJsonObject);
    const built = items.map((item, i) => blockFromConfig(item, b.block, ctx, `${path ? `${path}.` : ''}${name}.${i}`));
    out[name] = b.nesting_mode === 'single' || b.nesting_mode === 'group' ? (built[0] ?? null) : built;
  }
  return out;
}

/**
 * Builds the state straight from the synthesized configuration and the provider schema, with no plan:
 * every literal argument as written (converted to the schema's type, blocks as lists), every computed
 * attribute as a placeholder, every other attribute null, references resolved by `resolveReferences`.
 * The provider's known defaults (provider-defaults.ts) and SDKv2's zero values inside blocks are
 * filled in; what only a plan computes (other defaults, most functions, data sources) is missing, and
 * the consistency plans of the base (`correctState`) fill it in and prove the result consistent.
 */
export function configState(config: StackConfig, schemas: ResourceSchemas, terraformVersion: string): TerraformState {
  const region = stackRegion(config);
  const defaultTags = literal(config.provider?.aws?.[0]?.default_tags?.[0]?.tags ?? {}, ['map', 'string']);
  const resources: StateResource[] = [];
  for (const [type, byName] of Object.entries(config.resource ?? {})) {
    const schema = schemas[type];
    if (!schema) throw new Error(`no provider schema for resource type ${type}`);
    for (const [name, args] of Object.entries(byName)) {
      if (args.count !== undefined || args.for_each !== undefined || args.provider !== undefined) {
        throw new Error(`${type}.${name}: count, for_each and provider aliases are not supported by the synthetic state`);
      }
      const attributes = blockFromConfig(
        args,
        schema.block,
        {
          resourceType: type,
          address: `${type}.${name}`,
          region,
          defaultTags: isJsonObject(defaultTags) ? defaultTags : undefined,
        },
        '',
      );
      resources.push({
        mode: 'managed',
        type,
        name,
        provider: `provider["${AWS_PROVIDER.source}"]`,
        instances: [{ schema_version: schema.version, attributes, sensitive_attributes: [] }],
      });
    }
  }
  const state: TerraformState = {
    version: 4,
    terraform_version: terraformVersion,
    serial: 1,
    lineage: randomUUID(),
    outputs: {},
    resources,
  };
  resolveReferences(state, config);
  return state;
}

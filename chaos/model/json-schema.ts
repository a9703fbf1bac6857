import { z } from 'zod';
import type { FaultCatalog } from '../faults/define-fault';
import { isJsonObject, isJsonValue, jsonValueSchema, type JsonObject, type JsonValue } from '../../contract/json';
import { AVAILABILITY_TITLE, experimentSchema } from './experiment-schema';
import { activityTimeoutSchema, FAULT_PROVIDER_TITLE, PYTHON_PROVIDER_TITLE } from './activity-provider-schema';

type JsonSchemaNode = Record<string, unknown>;

/** One fault's provider as an editor sees it: its id and its own argument schema. */
function faultProviderVariants(catalog: FaultCatalog): JsonSchemaNode[] {
  const timeout = z.toJSONSchema(activityTimeoutSchema, { io: 'input' });
  delete timeout.$schema;
  return [...catalog.values()].map((fault) => {
    const args = z.toJSONSchema(fault.args, { io: 'input', unrepresentable: 'any' });
    delete args.$schema;
    return {
      type: 'object',
      description: `${fault.id} (${fault.kind}${fault.destructive ? ', destructive' : ''}): ${fault.description}`,
      properties: { type: { const: 'fault' }, id: { const: fault.id }, arguments: args, timeout },
      required: ['type', 'id'],
      additionalProperties: false,
    };
  });
}

function asJsonObject(value: unknown, what: string): JsonObject {
  if (isJsonValue(value) && isJsonObject(value)) return value;
  throw new Error(`${what} is not a JSON object`);
}

/**
 * The experiment schema with every part spelled out again at each use (how zod exports it), with
 * each fault's arguments spelled out. `experimentJsonSchema` is this with the repeated parts shared.
 */
export function inlinedExperimentJsonSchema(catalog: FaultCatalog): JsonObject {
  const variants = faultProviderVariants(catalog);
  const schema = z.toJSONSchema(experimentSchema(catalog), {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const title = ctx.jsonSchema.title;
      if (title !== FAULT_PROVIDER_TITLE && title !== PYTHON_PROVIDER_TITLE) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
      // The loader refuses Python providers with a message; editors flag them at once.
      Object.assign(ctx.jsonSchema, title === FAULT_PROVIDER_TITLE ? { title, oneOf: variants } : { title, not: {} });
    },
  });
  return asJsonObject(
    {
      ...schema,
      $id: 'https://github.com/ecs-chaos-platform/chaos/experiment.schema.json',
      title: 'Chaos experiment',
      description:
        'A chaos experiment: steady-state hypothesis, method, rollbacks and recovery objective. chaostoolkit 1.x experiments are accepted too.',
    },
    'the exported experiment schema',
  );
}

const DEFS = '#/$defs/';
/** Keywords whose values are data (defaults, constants, examples), never subschemas. */
const DATA_KEYWORDS = new Set(['const', 'enum', 'default', 'examples']);
/** Keywords whose values map names to subschemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'dependentSchemas', '$defs']);
/** Names that need no escaping in a JSON Pointer nor in a URI fragment. */
const PLAIN_NAME = /^[A-Za-z0-9._:-]+$/;

/**
 * Rebuilds a subschema bottom-up: `visit` sees each schema object after its subschemas were
 * rebuilt, with the name it has in `properties` (or another map of subschemas) if it has one.
 */
function rebuild(node: JsonValue, visit: (schema: JsonObject, property?: string) => JsonValue, property?: string): JsonValue {
  if (!isJsonObject(node)) return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key)) out[key] = value;
    else if (SCHEMA_MAPS.has(key) && isJsonObject(value)) {
      const map: JsonObject = {};
      for (const [name, sub] of Object.entries(value)) map[name] = rebuild(sub, visit, name);
      out[key] = map;
    } else if (Array.isArray(value)) out[key] = value.map((sub) => rebuild(sub, visit));
    else out[key] = rebuild(value, visit);
  }
  return visit(out, property);
}

/** The same JSON with object keys sorted, to compare subschemas by content. */
function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isJsonObject(value)) return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
}

function refTo(name: string): string {
  if (!PLAIN_NAME.test(name)) throw new Error(`the definition name "${name}" would need escaping in a $ref`);
  return DEFS + name;
}

/** The definition a `$ref` points to, for local `#/$defs/…` references. */
function referenced(schema: JsonValue | undefined): string | undefined {
  if (!isJsonObject(schema) || typeof schema.$ref !== 'string' || !schema.$ref.startsWith(DEFS)) return undefined;
  return schema.$ref.slice(DEFS.length);
}

/** The definitions a union (`oneOf`/`anyOf`) refers to, if every member is a reference. */
function unionOf(members: JsonValue | undefined): string[] {
  if (!Array.isArray(members)) return [];
  const names = members.map(referenced);
  return names.every((n) => n !== undefined) ? names : [];
}

function constOf(schema: JsonObject, property: string): string | undefined {
  const properties = schema.properties;
  const value = isJsonObject(properties) && isJsonObject(properties[property]) ? properties[property].const : undefined;
  return typeof value === 'string' ? value : undefined;
}

/** Probes come in three shapes: a method probe may judge its value, a hypothesis probe must, a probe judging another does not. */
function probeName(schema: JsonObject): string {
  const properties = schema.properties;
  if (!isJsonObject(properties) || properties.tolerance === undefined) return 'tolerance.probe';
  return Array.isArray(schema.required) && schema.required.includes('tolerance') ? 'hypothesisProbe' : 'probe';
}

/** An object discriminated by its `type` property: a provider, an activity or a tolerance form. */
function variantName(schema: JsonObject, kind: string): string | undefined {
  switch (kind) {
    case 'process':
    case 'http':
      return `${kind}Provider`;
    case 'fault': {
      const id = constOf(schema, 'id');
      return id === undefined ? undefined : `faultProvider.${id}`;
    }
    case 'action':
      return 'action';
    case 'probe':
      return probeName(schema);
    case 'range':
    case 'regex':
    case 'jsonpath':
      return `tolerance.${kind}`;
    default:
      return undefined;
  }
}

/** The name a repeated part of the experiment schema is shared under, or undefined to keep it inline. */
function definitionName(schema: JsonObject, property: string | undefined): string | undefined {
  if (property === 'pauses' && schema.type === 'object') return 'pauses';
  if (schema.title === FAULT_PROVIDER_TITLE) return 'faultProvider';
  if (schema.title === PYTHON_PROVIDER_TITLE) return 'pythonProvider';
  if (schema.title === AVAILABILITY_TITLE) return 'sampledProbe';
  const kind = constOf(schema, 'type');
  if (schema.type === 'object' && kind !== undefined) return variantName(schema, kind);
  const members = unionOf(schema.oneOf);
  if (members.length === 2 && members.includes('action') && members.includes('probe')) return 'activity';
  if (members.length > 0 && members.every((m) => m.endsWith('Provider'))) return 'provider';
  const forms = Array.isArray(schema.anyOf) ? schema.anyOf.map((m) => (isJsonObject(m) ? unionOf(m.oneOf) : [])) : [];
  if (forms.some((f) => f.length > 0 && f.every((m) => m.startsWith('tolerance.')))) return 'tolerance';
  return undefined;
}

/** Zod's own definitions (recursive schemas, named `__schemaN`) by what they are. */
const NAMED_ZOD_SCHEMAS: ReadonlyMap<string, z.ZodType> = new Map([['jsonValue', jsonValueSchema]]);

/** Renames zod's generated definitions: one whose body is a known schema (its self-references as `#`) takes that schema's name. */
function zodDefinitionNames(defs: JsonObject): Map<string, string> {
  const names = new Map<string, string>();
  for (const [generated, body] of Object.entries(defs)) {
    const standalone = rebuild(body, (s) => (referenced(s) === generated ? { ...s, $ref: '#' } : s));
    for (const [name, schema] of NAMED_ZOD_SCHEMAS) {
      const { $schema: _, ...alone } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
      if (canonical(standalone) === canonical(asJsonObject(alone, name))) names.set(generated, name);
    }
  }
  return names;
}

/** The `$ref` targets in a subschema, in document order. */
function referencesIn(node: JsonValue): string[] {
  const found: string[] = [];
  rebuild(node, (s) => {
    const name = referenced(s);
    if (name !== undefined) found.push(name);
    return s;
  });
  return found;
}

/** Definitions in the order a reader meets them from the root, each followed by what it uses. */
function inReadingOrder(root: JsonValue, defs: ReadonlyMap<string, JsonValue>): JsonObject {
  const ordered: JsonObject = {};
  const visit = (node: JsonValue): void => {
    for (const name of referencesIn(node)) {
      const body = defs.get(name);
      if (body === undefined) throw new Error(`$ref to a missing definition "${name}"`);
      if (name in ordered) continue;
      ordered[name] = body;
      visit(body);
    }
  };
  visit(root);
  return ordered;
}

/**
 * The experiment schema as JSON Schema (draft 2020-12), with each fault's arguments spelled out so
 * that editors complete and check them. Generated from the same zod schema the loader uses; the
 * parts used in several places (activities, providers, tolerances, each fault's provider) are
 * written once under `$defs` and referenced with `$ref`.
 */
export function experimentJsonSchema(catalog: FaultCatalog): JsonObject {
  const { $schema, $id, title, description, $defs, ...body } = inlinedExperimentJsonSchema(catalog);
  const zodDefs = isJsonObject($defs) ? $defs : {};
  const renamed = zodDefinitionNames(zodDefs);
  const rename = (s: JsonObject): JsonValue => {
    const name = referenced(s);
    const to = name === undefined ? undefined : renamed.get(name);
    return to === undefined ? s : { ...s, $ref: refTo(to) };
  };
  const defs = new Map<string, JsonValue>();
  for (const [name, def] of Object.entries(zodDefs)) defs.set(renamed.get(name) ?? name, rebuild(def, rename));
  const share = (s: JsonObject, property?: string): JsonValue => {
    const named = rename(s);
    const name = isJsonObject(named) ? definitionName(named, property) : undefined;
    if (name === undefined) return named;
    const known = defs.get(name);
    if (known !== undefined && canonical(known) !== canonical(named))
      throw new Error(`two different subschemas would share the name "${name}"`);
    defs.set(name, named);
    return { $ref: refTo(name) };
  };
  const shared = asJsonObject(rebuild(body, share), 'the shared experiment schema');
  return { $schema, $id, title, description, ...shared, $defs: inReadingOrder(shared, defs) };
}

import { isJsonObject, type JsonObject, type JsonValue } from '../../contract/json';
import { FAULT_CATALOG } from '../../chaos/drivers';
import { experimentJsonSchema, inlinedExperimentJsonSchema } from '../../chaos/model/json-schema';

// No JSON Schema validator is installed (no ajv, no @cfworker/json-schema), so these tests prove
// the shared schema equivalent to the inlined one by expanding its references: in draft 2020-12 a
// `{"$ref": …}` with no sibling keywords, pointing into the same document (no `$id` or anchors
// below the root), means exactly the subschema it points to.

const DEFS = '#/$defs/';

function defsOf(schema: JsonObject): JsonObject {
  const defs = schema.$defs;
  return isJsonObject(defs) ? defs : {};
}

/**
 * The schema with every `$ref` replaced by the definition it points to and `$defs` dropped. A
 * reference back into a definition being expanded (a recursive schema) becomes `{$cycle: n}`, `n`
 * the depth from where that definition was entered, which does not depend on its name.
 */
function expandRefs(root: JsonObject): JsonValue {
  const defs = defsOf(root);
  const expand = (node: JsonValue, depth: number, open: ReadonlyMap<string, number>): JsonValue => {
    if (Array.isArray(node)) return node.map((item) => expand(item, depth + 1, open));
    if (!isJsonObject(node)) return node;
    const ref = node.$ref;
    if (typeof ref === 'string') {
      if (Object.keys(node).length !== 1) throw new Error(`$ref with sibling keywords: ${JSON.stringify(node)}`);
      if (!ref.startsWith(DEFS)) throw new Error(`$ref outside $defs: ${ref}`);
      const name = ref.slice(DEFS.length);
      const entered = open.get(name);
      if (entered !== undefined) return { $cycle: depth - entered };
      const body = defs[name];
      if (body === undefined) throw new Error(`$ref to a missing definition: ${ref}`);
      return expand(body, depth, new Map([...open, [name, depth]]));
    }
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$id' && depth > 0) throw new Error('an $id below the root would change what references resolve to');
      if (key !== '$defs') out[key] = expand(value, depth + 1, open);
    }
    return out;
  };
  return expand(root, 0, new Map());
}

/** Every `$ref` in a JSON document. */
function refsIn(node: JsonValue): string[] {
  if (Array.isArray(node)) return node.flatMap(refsIn);
  if (!isJsonObject(node)) return [];
  return Object.entries(node).flatMap(([key, value]) => (key === '$ref' && typeof value === 'string' ? [value] : refsIn(value)));
}

function canonical(value: JsonValue): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (!isJsonObject(value)) return JSON.stringify(value);
  return `{${Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
    .join(',')}}`;
}

/** Each object in the document, as canonical JSON, with how often it occurs. */
function objectCounts(node: JsonValue, counts = new Map<string, number>()): Map<string, number> {
  if (Array.isArray(node)) for (const item of node) objectCounts(item, counts);
  else if (isJsonObject(node)) {
    const text = canonical(node);
    counts.set(text, (counts.get(text) ?? 0) + 1);
    for (const value of Object.values(node)) objectCounts(value, counts);
  }
  return counts;
}

describe('experiment JSON Schema definitions', () => {
  const shared = experimentJsonSchema(FAULT_CATALOG);
  const inlined = inlinedExperimentJsonSchema(FAULT_CATALOG);

  it('is draft 2020-12 and shares its parts under $defs', () => {
    expect(shared.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(shared.$id).toBe(inlined.$id);
    expect(JSON.stringify(shared).length).toBeLessThan(JSON.stringify(inlined).length / 5);
  });

  it('with every $ref expanded, is exactly the inlined schema: it accepts and refuses the same documents', () => {
    expect(refsIn(shared).length).toBeGreaterThan(refsIn(inlined).length);
    expect(expandRefs(shared)).toEqual(expandRefs(inlined));
  });

  it('the comparison notices a change inside one shared definition', () => {
    const defs = defsOf(shared);
    const fault = defs['faultProvider.http:get'];
    if (!isJsonObject(fault)) throw new Error('no faultProvider.http:get definition');
    const altered: JsonObject = { ...shared, $defs: { ...defs, 'faultProvider.http:get': { ...fault, required: ['type'] } } };
    expect(expandRefs(altered)).not.toEqual(expandRefs(inlined));
  });

  it('names its definitions after what they are, one per fault', () => {
    const names = Object.keys(defsOf(shared));
    expect(names).toEqual(expect.arrayContaining(['activity', 'action', 'probe', 'hypothesisProbe', 'provider', 'faultProvider']));
    expect(names).toEqual(expect.arrayContaining(['tolerance', 'tolerance.range', 'tolerance.probe', 'pythonProvider', 'jsonValue']));
    expect(names).toEqual(expect.arrayContaining([...FAULT_CATALOG.keys()].map((id) => `faultProvider.${id}`)));
    expect(names.filter((n) => n.startsWith('__schema'))).toEqual([]);
  });

  it('every $ref points to a definition and every definition is referenced', () => {
    const names = Object.keys(defsOf(shared));
    const targets = new Set(refsIn(shared));
    expect([...targets].filter((ref) => !names.includes(ref.slice(DEFS.length)))).toEqual([]);
    expect(names.filter((name) => !targets.has(`${DEFS}${name}`))).toEqual([]);
  });

  it('spells out no sizeable subschema twice', () => {
    const repeated = [...objectCounts(shared)].filter(([text, count]) => count > 1 && text.length > 500).map(([text]) => text);
    expect(repeated).toEqual([]);
  });
});

import { isJsonObject, type JsonObject, type JsonValue } from '../contract/json';

/**
 * The JSON of a `data.aws_iam_policy_document` from its configuration, as the provider builds it
 * (Version, then statements with Sid, Effect, Action, Resource, Principal, Condition; a list of one
 * written as a string), every string resolved by `resolve`. The IAM resources compare policies by
 * meaning, so this needs to mean what the provider's text means, not match it byte for byte.
 * Undefined for what it does not handle (source or override documents, a value it cannot resolve):
 * the consistency plans then compute it.
 */
export function policyDocumentJson(config: JsonObject, resolve: (text: string) => JsonValue | undefined): string | undefined {
  const known = new Set(['//', 'statement', 'version', 'depends_on']);
  if (Object.keys(config).some((k) => !known.has(k))) return undefined;
  const strings = (value: JsonValue | undefined): string[] | undefined => {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return undefined;
    const out: string[] = [];
    for (const v of value) {
      const r = typeof v !== 'string' ? undefined : v.includes('${') ? resolve(v) : v;
      if (typeof r !== 'string') return undefined;
      out.push(r);
    }
    return out;
  };
  const one = (xs: string[]): JsonValue => (xs.length === 1 ? xs[0] : xs);
  const statements: JsonObject[] = [];
  const given = config.statement;
  for (const s of Array.isArray(given) ? given : given === undefined ? [] : [given]) {
    if (!isJsonObject(s)) return undefined;
    const out: JsonObject = {};
    if (typeof s.sid === 'string' && s.sid !== '') out.Sid = s.sid;
    out.Effect = typeof s.effect === 'string' ? s.effect : 'Allow';
    for (const [key, name] of [
      ['actions', 'Action'],
      ['not_actions', 'NotAction'],
      ['resources', 'Resource'],
      ['not_resources', 'NotResource'],
    ] as const) {
      const xs = strings(s[key]);
      if (!xs) return undefined;
      if (xs.length) out[name] = one(xs);
    }
    for (const [key, name] of [
      ['principals', 'Principal'],
      ['not_principals', 'NotPrincipal'],
    ] as const) {
      const blocks = s[key];
      if (blocks === undefined || blocks === null) continue;
      if (!Array.isArray(blocks)) return undefined;
      const principal: Record<string, string[]> = {};
      for (const b of blocks) {
        const ids = isJsonObject(b) && typeof b.type === 'string' ? strings(b.identifiers) : undefined;
        if (!ids || !isJsonObject(b) || typeof b.type !== 'string') return undefined;
        principal[b.type] = [...(principal[b.type] ?? []), ...ids];
      }
      out[name] = Object.fromEntries(Object.entries(principal).map(([k, v]) => [k, one(v)]));
    }
    if (s.condition !== undefined && s.condition !== null) {
      if (!Array.isArray(s.condition)) return undefined;
      const condition: Record<string, Record<string, string[]>> = {};
      for (const c of s.condition) {
        const values = isJsonObject(c) ? strings(c.values) : undefined;
        if (!values || !isJsonObject(c) || typeof c.test !== 'string' || typeof c.variable !== 'string') return undefined;
        condition[c.test] = { ...condition[c.test], [c.variable]: [...(condition[c.test]?.[c.variable] ?? []), ...values] };
      }
      out.Condition = Object.fromEntries(
        Object.entries(condition).map(([test, vars]) => [test, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, one(v)]))]),
      );
    }
    statements.push(out);
  }
  const version = typeof config.version === 'string' ? config.version : '2012-10-17';
  return JSON.stringify({ Version: version, Statement: statements }, null, 2);
}

import { z } from 'zod';

/** A JSON value: what experiments, outputs, probe results and journals are made of. */
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValueSchema), z.record(z.string(), jsonValueSchema)]),
);

export const jsonObjectSchema: z.ZodType<JsonObject> = z.record(z.string(), jsonValueSchema);

export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a value is not JSON: its path and what was found. */
export interface NotJson {
  readonly path: readonly (string | number)[];
  readonly found: string;
}

/**
 * Checks that a parsed document (YAML may yield dates, NaN, Infinity, maps with non-string keys…)
 * is plain JSON, returning the first offending place instead of letting it flow inward.
 */
export function findNotJson(value: unknown, path: (string | number)[] = []): NotJson | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return null;
  if (typeof value === 'number') {
    return Number.isFinite(value) ? null : { path, found: String(value) };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const bad = findNotJson(value[i], [...path, i]);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      const bad = findNotJson(item, [...path, key]);
      if (bad) return bad;
    }
    return null;
  }
  const found = value instanceof Date ? 'a date' : value instanceof Map ? 'a map with non-string keys' : typeof value;
  return { path, found };
}

/** Type guard over `findNotJson`. */
export function isJsonValue(value: unknown): value is JsonValue {
  return findNotJson(value) === null;
}

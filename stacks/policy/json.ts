import { isJsonObject, type JsonObject, type JsonValue } from '../../contract/json';

/*
 * Terraform attributes as the stack synthesizes them, after token resolution, are plain JSON (the
 * project's JsonValue), where a reference to another resource is a string such as
 * "${aws_vpc.network_vpc_1234.id}". These helpers read them.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Converts a resolved value to JsonValue: undefined fields are dropped, anything exotic becomes its string. */
export function toJson(value: unknown): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(toJson);
  if (isRecord(value)) return toJsonObject(value);
  return String(value);
}

/** Like toJson, for a value that must be an object (anything else gives an empty object). */
export function toJsonObject(value: unknown): JsonObject {
  if (!isRecord(value)) return {};
  const out: Record<string, JsonValue> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) out[key] = toJson(v);
  }
  return out;
}

/** The value at `path` inside `value`, or undefined when any step is missing. */
export function at(value: JsonValue | undefined, ...path: readonly (string | number)[]): JsonValue | undefined {
  let cur: JsonValue | undefined = value;
  for (const key of path) {
    if (cur === undefined || cur === null || typeof cur !== 'object') return undefined;
    cur = Array.isArray(cur) ? (typeof key === 'number' ? cur[key] : undefined) : cur[String(key)];
  }
  return cur;
}

export function asString(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A number, or a string holding one (the provider's schema has both, e.g. hop limit vs "true"). */
export function asNumber(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/** Terraform accepts `true` and "true" alike for a bool attribute. */
export function isTrue(value: JsonValue | undefined): boolean {
  return value === true || value === 'true';
}

/** The strings of a list attribute; a single string counts as a list of one. */
export function strings(value: JsonValue | undefined): readonly string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string');
  }
  return [];
}

/**
 * The blocks of a nested-block attribute. cdktf writes a single block (`metadata_options`) as an
 * object and a repeatable one (`block_device_mappings`) as a list; both come back as a list.
 */
export function blocks(value: JsonValue | undefined): readonly JsonObject[] {
  if (value === null || value === undefined || typeof value !== 'object') return [];
  if (Array.isArray(value)) return value.filter(isJsonObject);
  return [value];
}

/** True when a string holds a Terraform expression (a reference or a function call) not known at synth. */
export function isExpression(value: string): boolean {
  return value.includes('${');
}

const REFERENCE = /^\$\{((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+)\.[a-z0-9_.[\]]+\}$/;

/** The address a whole-string reference points at: "${aws_x.name_1.arn}" gives "aws_x.name_1". */
export function referencedAddress(value: JsonValue | undefined): string | undefined {
  return typeof value === 'string' ? REFERENCE.exec(value)?.[1] : undefined;
}

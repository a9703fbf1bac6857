import { z } from 'zod';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { OUTPUT_IDS, platformOutputsSchema, type PlatformOutputs } from '../../contract/outputs';
import { InvalidOutputsError, systemErrorCode } from '../errors';
import { describeIssue, describeValue } from '../model/describe-issue';
import { formatPath } from '../model/issue-path';
import { isJsonObject, isJsonValue, type JsonObject, type JsonValue } from '../../contract/json';

/** The three shapes an outputs file may have. */
export type OutputsFormat =
  /** The `PlatformOutputs` object itself (what the local rehearsal writes). */
  | 'plain'
  /** `cdktf deploy --outputs-file`: `{ "<stack>": { "<outputId>": value } }`. */
  | 'cdktf'
  /** `terraform output -json`: `{ "<outputId>": { "value": …, "type": …, "sensitive": … } }`. */
  | 'terraform';

/** A parsed outputs file and where it came from. */
export interface LoadedOutputs {
  readonly file: string;
  readonly format: OutputsFormat;
  /** The stack chosen in a cdktf outputs file; null for the other formats. */
  readonly stack: string | null;
  readonly outputs: PlatformOutputs;
}

const TARGET_SCHEMA = z.looseObject({ target: z.enum(['aws', 'local']) });

const TERRAFORM_OUTPUT_KEYS = new Set(['value', 'type', 'sensitive']);

function isTerraformOutput(value: JsonValue): value is JsonObject {
  return isJsonObject(value) && 'value' in value && Object.keys(value).every((k) => TERRAFORM_OUTPUT_KEYS.has(k));
}

function detectFormat(doc: JsonObject): OutputsFormat {
  const values = Object.values(doc);
  if (values.length > 0 && values.every(isTerraformOutput)) return 'terraform';
  // A stack map has only objects under keys that are not output ids.
  const outputIds: readonly string[] = OUTPUT_IDS;
  const namesOutputs = Object.keys(doc).some((key) => outputIds.includes(key));
  if (!namesOutputs && values.length > 0 && values.every((v) => isJsonObject(v))) return 'cdktf';
  return 'plain';
}

function unwrapTerraform(doc: JsonObject): JsonObject {
  const plain: JsonObject = {};
  for (const [id, output] of Object.entries(doc)) {
    if (isJsonObject(output) && output.value !== undefined) plain[id] = output.value;
  }
  return plain;
}

/** A stack name as the file spells it, quoted and escaped unless it is a plain word (the file is not trusted). */
const shownName = (name: string): string => (/^[\w.-]{1,100}$/.test(name) ? name : describeValue(name));

function chooseStack(doc: JsonObject, file: string, stack: string | undefined): { name: string; outputs: JsonObject } {
  const names = Object.keys(doc);
  const listed = names.map(shownName).join(', ');
  const pick = (name: string): { name: string; outputs: JsonObject } => {
    const outputs = doc[name];
    if (!isJsonObject(outputs)) throw new InvalidOutputsError(file, formatPath([name]), "expected the stack's outputs as an object");
    return { name, outputs };
  };
  if (stack !== undefined) {
    if (!names.includes(stack)) {
      throw new InvalidOutputsError(file, '', `has no stack "${stack}" (stacks: ${listed})`);
    }
    return pick(stack);
  }
  const only = names[0];
  if (names.length === 1 && only !== undefined) return pick(only);
  throw new InvalidOutputsError(file, '', `holds outputs of ${names.length} stacks (${listed}); choose one with --stack <name>`);
}

function validate(
  plain: JsonObject,
  file: string,
  pathPrefix: readonly PropertyKey[],
  inner: (path: readonly PropertyKey[]) => readonly PropertyKey[],
): PlatformOutputs {
  // The target decides which fields follow: say what is wrong with it before anything else.
  const target = TARGET_SCHEMA.safeParse(plain);
  const result = target.success ? platformOutputsSchema.safeParse(plain) : target;
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new InvalidOutputsError(file, '', 'does not match the platform outputs contract');
  const problem = describeIssue(issue, plain);
  throw new InvalidOutputsError(file, formatPath([...pathPrefix, ...inner(problem.path)]), problem.expected);
}

/** Parses the text of an outputs file (JSON; YAML accepted too) into `PlatformOutputs`. */
export function parseOutputs(text: string, file: string, stack?: string): LoadedOutputs {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidOutputsError(file, '', `is not valid JSON (or YAML): ${reason}`);
  }
  if (!isJsonValue(raw) || !isJsonObject(raw)) {
    throw new InvalidOutputsError(
      file,
      '',
      'expected a JSON object of stack outputs (cdktf --outputs-file, terraform output -json, or the outputs object itself)',
    );
  }
  const format = detectFormat(raw);
  switch (format) {
    case 'plain':
      return { file, format, stack: null, outputs: validate(raw, file, [], (p) => p) };
    case 'terraform':
      // Point at the place in the file as written: `services.value.api.port`.
      return {
        file,
        format,
        stack: null,
        outputs: validate(unwrapTerraform(raw), file, [], (p) => (p.length === 0 ? p : [p[0] ?? '', 'value', ...p.slice(1)])),
      };
    case 'cdktf': {
      const chosen = chooseStack(raw, file, stack);
      const outputs = isTerraformOutputMap(chosen.outputs) ? unwrapTerraform(chosen.outputs) : chosen.outputs;
      return { file, format, stack: chosen.name, outputs: validate(outputs, file, [chosen.name], (p) => p) };
    }
  }
}

function isTerraformOutputMap(doc: JsonObject): boolean {
  const values = Object.values(doc);
  return values.length > 0 && values.every(isTerraformOutput);
}

/** Reads and parses an outputs file; `file` is the name used in messages, `readPath` where it is. */
export async function readOutputsFile(file: string, readPath: string, stack?: string): Promise<LoadedOutputs> {
  let text: string;
  try {
    text = await readFile(readPath, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? 'unreadable';
    throw new InvalidOutputsError(file, '', code === 'ENOENT' ? 'no such file' : `cannot be read (${code})`);
  }
  return parseOutputs(text, file, stack);
}

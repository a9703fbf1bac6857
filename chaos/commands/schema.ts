import { writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { FAULT_CATALOG } from '../drivers';
import type { CliIo } from '../io';
import { experimentJsonSchema } from '../model/json-schema';

export interface SchemaCommandOptions {
  readonly out: string | undefined;
}

/** The JSON text of the schema, as committed in chaos/schema/experiment.schema.json. */
export function experimentSchemaText(): string {
  return `${JSON.stringify(experimentJsonSchema(FAULT_CATALOG), null, 2)}\n`;
}

/** `chaos schema`: print (or write) the experiment JSON Schema. */
export async function schemaCommand(options: SchemaCommandOptions, io: CliIo): Promise<number> {
  const text = experimentSchemaText();
  if (options.out === undefined) {
    io.stdout(text);
    return 0;
  }
  await writeFile(isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out), text, 'utf8');
  io.stdout(`wrote ${options.out}\n`);
  return 0;
}

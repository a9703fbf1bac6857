import { z } from 'zod';
import { platformConfigSchema } from './config';

/** The config file's JSON Schema (what editors use for completion and checks), from the zod schema. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(platformConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

if (require.main === module) {
  process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
}

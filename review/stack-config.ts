import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { jsonObjectSchema, jsonValueSchema } from '../contract/json';
import { parseJson } from './parse-json';

/**
 * The parts of a synthesized stack (cdk.tf.json) the synthetic state reads: every resource's
 * arguments as written (type → name → arguments), and the AWS provider's region and default tags
 * (cdktf writes each provider as a list of configurations, each block as a list of one).
 */
const stackConfigSchema = z.looseObject({
  resource: z.record(z.string(), z.record(z.string(), jsonObjectSchema)).optional(),
  data: z.record(z.string(), z.record(z.string(), jsonObjectSchema)).optional(),
  provider: z
    .looseObject({
      aws: z
        .array(
          z.looseObject({
            region: jsonValueSchema.optional(),
            default_tags: z.array(z.looseObject({ tags: jsonValueSchema.optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});

export type StackConfig = z.infer<typeof stackConfigSchema>;

/** Reads the cdk.tf.json that cdktf synthesized into `dir`. */
export function readStackConfig(dir: string): StackConfig {
  const file = join(dir, 'cdk.tf.json');
  return parseJson(stackConfigSchema, readFileSync(file, 'utf8'), file, 'synthesized configuration');
}

import { z } from 'zod';

/**
 * Parses JSON text that another program wrote (Terraform, cdktf) and checks the parts the review
 * reads against `schema`, so a shape we do not know stops here with a message that names the source,
 * what it should have been, and where it differs, instead of flowing inward as a wrong type.
 */
export function parseJson<T extends z.ZodType>(schema: T, text: string, source: string, what: string): z.output<T> {
  const result = schema.safeParse(JSON.parse(text));
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the top level';
    throw new Error(`${source}: unexpected ${what} at ${where}: ${issue.message}`);
  }
  return result.data;
}

import { z } from 'zod';
import { parseJson } from './parse-json';

const count = z.number().optional();

/**
 * One line of `terraform plan -json` (Terraform's machine-readable progress stream), with the fields
 * the check reads: `change` of a planned_change (and of a resource_drift, same shape), `changes` of
 * the change_summary (which also carries a string `operation`, hence no record of numbers). Every
 * field is optional, as the check has always tolerated their absence.
 */
const messageSchema = z.looseObject({
  type: z.string().optional(),
  change: z
    .looseObject({
      action: z.string().optional(),
      resource: z.looseObject({ addr: z.string().optional() }).optional(),
    })
    .optional(),
  changes: z.looseObject({ add: count, change: count, remove: count, import: count }).optional(),
});

/**
 * Whether a plan's progress stream says any managed resource would change: a planned change other
 * than a no-op or a data source read, or a summary with anything to add, change, remove or import.
 * A stream without a summary is one we do not understand, so it counts as a change (the caller then
 * reads the plan itself).
 */
export function streamShowsChanges(stream: string, source: string): boolean {
  let summarized = false;
  let changed = false;
  for (const line of stream.split('\n')) {
    if (!line.startsWith('{')) continue;
    const message = parseJson(messageSchema, line, source, 'plan progress message');
    if (
      message.type === 'planned_change' &&
      message.change?.action !== 'noop' &&
      message.change?.action !== 'read' &&
      !message.change?.resource?.addr?.startsWith('data.')
    ) {
      changed = true;
    }
    if (message.type === 'change_summary') {
      summarized = true;
      const c = message.changes ?? {};
      if ((c.add ?? 0) + (c.change ?? 0) + (c.remove ?? 0) + (c.import ?? 0) > 0) changed = true;
    }
  }
  return changed || !summarized;
}

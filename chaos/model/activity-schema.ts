import { z } from 'zod';
import type { FaultCatalog } from '../faults/define-fault';
import { providerSchema } from './activity-provider-schema';
import { toleranceSchema } from './tolerance-schema';
import type { ActionActivity, HypothesisProbe, ProbeActivity } from './types';

const pausesSchema = z
  .strictObject({
    before: z.number().min(0).default(0),
    after: z.number().min(0).default(0),
  })
  .default({ before: 0, after: 0 });

/** The activity schemas (method, rollbacks, hypothesis probes), built over a fault catalog. */
export function activitySchemas(catalog: FaultCatalog) {
  const common = {
    name: z.string().min(1),
    provider: providerSchema(catalog),
    pauses: pausesSchema,
    background: z.boolean().default(false),
  };
  const judgingProbe = z.strictObject({ type: z.literal('probe'), ...common }).transform((a): ProbeActivity => a);
  const tolerance = toleranceSchema(judgingProbe);
  const action = z.strictObject({ type: z.literal('action'), ...common }).transform((a): ActionActivity => a);
  const probe = z
    .strictObject({ type: z.literal('probe'), ...common, tolerance: tolerance.optional() })
    .transform(({ tolerance: t, ...rest }): ProbeActivity => (t === undefined ? rest : { ...rest, tolerance: t }));
  const hypothesisProbe = z.strictObject({ type: z.literal('probe'), ...common, tolerance }).transform((a): HypothesisProbe => a);
  return {
    activity: z.discriminatedUnion('type', [action, probe]),
    hypothesisProbe,
  };
}

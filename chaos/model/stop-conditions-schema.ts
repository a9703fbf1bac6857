import { z } from 'zod';
import type { HypothesisProbe, StopConditions } from './types';

/** CloudWatch alarm names: 1-255 printable characters. */
const ALARM_NAME = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

/**
 * `stop-conditions`: guardrails checked from the first action until the rollbacks (FIS's stop
 * conditions, chaostoolkit's safeguards). Any breach aborts the method, runs the rollbacks and ends
 * the run `aborted` with the breach in the journal.
 */
export function stopConditionsSchema(hypothesisProbe: z.ZodType<HypothesisProbe>) {
  return z
    .strictObject({
      probes: z.array(hypothesisProbe).default([]).describe('Guard probes (each with a tolerance): one outside its tolerance is a breach'),
      alarms: z
        .array(z.string().regex(ALARM_NAME, 'expected a CloudWatch alarm name'))
        .default([])
        .describe('CloudWatch alarms (AWS target only): one in state ALARM, or missing, is a breach'),
      'max-duration': z.number().positive().max(86_400).optional().describe('Seconds the whole run may last; reaching it is a breach'),
      poll: z.number().positive().max(60).default(1).describe('Seconds between checks of the probes and alarms (default 1)'),
    })
    .transform((s): StopConditions => ({
      probes: s.probes,
      alarms: s.alarms,
      poll: s.poll,
      ...(s['max-duration'] === undefined ? {} : { maxDuration: s['max-duration'] }),
    }));
}

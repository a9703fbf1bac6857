import { z } from 'zod';
import { stopConditionsSchema } from './stop-conditions-schema';
import type { FaultCatalog } from '../faults/define-fault';
import { activitySchemas } from './activity-schema';
import { MAX_TIMEOUT_SECONDS } from './activity-provider-schema';
import { jsonObjectSchema } from '../../contract/json';
import type { Activity, HypothesisProbe } from './types';

/** chaostoolkit's `validate_extensions`: every extension has a non-blank name; the rest is ignored. */
const extensionSchema = z.looseObject({
  name: z
    .string({ error: 'expected a name: chaostoolkit requires every extension to have one' })
    .refine((name) => name.trim() !== '', 'expected a non-blank name: chaostoolkit requires every extension to have one'),
});

/** The title of one sampled probe in the JSON Schema, where it is shared (it appears alone or in a list). */
export const AVAILABILITY_TITLE = 'Sampled probe';

const availabilitySchema = z
  .strictObject({
    probe: z.string().min(1).describe('Name of an HTTP probe (steady-state hypothesis or method) to sample continuously'),
    min: z
      .number()
      .min(0)
      .max(100)
      .optional()
      .describe('Minimum percentage of successful samples of this probe over the fault window (without it: measured, not judged)'),
    rate: z.number().int().min(1).max(100).default(20).describe('Samples per second (default 20)'),
    timeout: z.number().positive().max(30).default(2).describe('Seconds before a sample counts as failed (default 2)'),
  })
  .meta({ title: AVAILABILITY_TITLE });

const recoverySchema = z.strictObject({
  within: z.number().positive().describe('Seconds after the first action by which the steady state must hold again'),
  poll: z
    .number()
    .positive()
    .default(1)
    .describe('Seconds between the starts of steady-state polls while waiting (default 1; 0.2 gives a finer time to recover)'),
  availability: z
    .union([availabilitySchema, z.array(availabilitySchema).min(1, 'expected at least one probe to sample')])
    .optional()
    .describe(
      'The probe to sample from the first action to the confirmed recovery, or a list of them (one per service), each sampled at its own rate',
    ),
});

/**
 * Seconds an activity may run when its provider sets no `timeout`. A minute: far above what a probe
 * or a fault of the catalog needs, and short enough that a frozen host or engine cannot hold a run.
 */
export const DEFAULT_ACTIVITY_TIMEOUT_SECONDS = 60;

export const ROLLBACK_STRATEGIES = ['default', 'always', 'deviated', 'never'] as const;

/** Probes the availability sampler could repeat: plain HTTP, or a fault module that offers it. */
function sampleableProbeNames(probes: readonly Activity[]): string[] {
  return probes
    .filter((a) => a.type === 'probe' && (a.provider.type === 'http' || (a.provider.type === 'fault' && a.provider.bound.sampleable)))
    .map((a) => a.name);
}

/** The availability objective as a list, whichever way it was written (one probe, or a list). */
export function availabilityList<T extends object>(availability: T | readonly T[] | undefined): readonly T[] {
  if (availability === undefined) return [];
  return isList(availability) ? availability : [availability];
}

function isList<T extends object>(value: T | readonly T[]): value is readonly T[] {
  return Array.isArray(value);
}

/**
 * The one schema for experiments: our native format, which is a superset of chaostoolkit 1.x's
 * (`version`, `contributions`, `extensions`, `secrets`, `runtime` are accepted for compatibility).
 */
export function experimentSchema(catalog: FaultCatalog) {
  const { activity, hypothesisProbe } = activitySchemas(catalog);
  return z
    .strictObject({
      version: z.string().optional(),
      title: z.string().min(1),
      // chaostoolkit (ensure_experiment_is_valid) requires a non-empty description and non-empty tags.
      description: z.string().min(1, 'expected a description: chaostoolkit requires one (say what the experiment shows)'),
      tags: z.array(z.string().min(1, 'expected a non-empty tag (chaostoolkit refuses empty tags); remove it')).default([]),
      contributions: z.record(z.string(), z.string()).optional(),
      extensions: z.array(extensionSchema).optional(),
      configuration: jsonObjectSchema.optional(),
      secrets: jsonObjectSchema.optional(),
      'steady-state-hypothesis': z.strictObject({ title: z.string().min(1), probes: z.array(hypothesisProbe).default([]) }).optional(),
      // chaostoolkit requires the key but allows an empty method (only the steady state is checked).
      method: z.array(activity),
      rollbacks: z.array(activity).default([]),
      'rollback-strategy': z.enum(ROLLBACK_STRATEGIES).optional(),
      runtime: z
        .strictObject({
          rollbacks: z.strictObject({ strategy: z.enum(ROLLBACK_STRATEGIES) }).optional(),
          hypothesis: z.strictObject({ strategy: z.literal('default') }).optional(),
        })
        .optional(),
      recovery: recoverySchema.optional(),
      'stop-conditions': stopConditionsSchema(hypothesisProbe).optional(),
      'activity-timeout': z
        .number()
        .positive()
        .max(MAX_TIMEOUT_SECONDS)
        .default(DEFAULT_ACTIVITY_TIMEOUT_SECONDS)
        .describe(
          `Seconds an activity may run before it is stopped and fails, unless its provider sets timeout (default ${DEFAULT_ACTIVITY_TIMEOUT_SECONDS})`,
        ),
    })
    .superRefine((doc, ctx) => {
      const hypothesisProbes: readonly HypothesisProbe[] = doc['steady-state-hypothesis']?.probes ?? [];
      const recovery = doc.recovery;
      if (recovery !== undefined && hypothesisProbes.length === 0 && availabilityList(recovery.availability).length === 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['recovery'],
          message: 'needs a steady-state hypothesis with probes or an availability probe to tell when the system has recovered',
        });
      }
      const sampled = availabilityList(recovery?.availability);
      const candidates = sampleableProbeNames([...hypothesisProbes, ...doc.method]);
      const listed = Array.isArray(recovery?.availability);
      sampled.forEach((entry, i) => {
        const path = ['recovery', 'availability', ...(listed ? [i] : []), 'probe'];
        if (!candidates.includes(entry.probe)) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `expected the name of an HTTP probe in the steady-state hypothesis or method (${candidates.length > 0 ? candidates.map((c) => `"${c}"`).join(', ') : 'there is none'}), got "${entry.probe}"`,
          });
        } else if (sampled.findIndex((other) => other.probe === entry.probe) !== i) {
          ctx.addIssue({ code: 'custom', path, message: `probe "${entry.probe}" is sampled twice` });
        }
      });
      const fromRuntime = doc.runtime?.rollbacks?.strategy;
      const declared = doc['rollback-strategy'];
      if (fromRuntime !== undefined && declared !== undefined && fromRuntime !== declared) {
        ctx.addIssue({
          code: 'custom',
          path: ['runtime', 'rollbacks', 'strategy'],
          message: `contradicts rollback-strategy "${declared}"`,
        });
      }
    });
}

/** What the schema produces. */
export type ParsedExperiment = z.output<ReturnType<typeof experimentSchema>>;

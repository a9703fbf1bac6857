import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OfflineTerraform, terraform, writeOfflineOverride } from './terraform';
import { PlanJson, parsePlan } from './plan-json';
import { resourceSchemas } from './provider-schema';
import { TerraformConfig, TerraformState, correctState, resolveReferences, syntheticState } from './synthetic-state';

/** Progress lines for long steps (each Terraform call takes seconds). */
export type Progress = (message: string) => void;

async function planJson(tf: OfflineTerraform, dir: string, args: readonly string[], name: string): Promise<PlanJson> {
  await terraform(tf, dir, ['plan', '-input=false', '-lock=false', '-no-color', `-out=${name}`, ...args]);
  return parsePlan(await terraform(tf, dir, ['show', '-json', name]), join(dir, name));
}

/** How many correction rounds the base state gets before we accept it (each is one plan). */
const MAX_CORRECTIONS = 3;

/**
 * A synthetic state of the base stack (see synthetic-state.ts): a create-only plan of the base, its
 * unknowns filled with placeholders and its references made consistent, then corrected by planning
 * the base against it until that plan is empty.
 */
export async function baseState(tf: OfflineTerraform, baseDir: string, progress: Progress = () => undefined): Promise<TerraformState> {
  const statePath = writeOfflineOverride(baseDir);
  progress('base: terraform init');
  await terraform(tf, baseDir, ['init', '-input=false', '-no-color', '-reconfigure']);
  progress('base: create-only plan');
  const created = await planJson(tf, baseDir, [], 'create.plan');
  const schemas = await resourceSchemas(tf, baseDir);
  let state: TerraformState = syntheticState(created, schemas);
  resolveReferences(state, JSON.parse(readFileSync(join(baseDir, 'cdk.tf.json'), 'utf8')) as TerraformConfig);
  for (let round = 1; round <= MAX_CORRECTIONS; round++) {
    writeFileSync(statePath, JSON.stringify(state));
    progress(`base: consistency plan ${round}`);
    const check = await planJson(tf, baseDir, ['-refresh=false'], 'check.plan');
    if (process.env.REVIEW_DEBUG) {
      for (const c of check.resource_changes.filter((c) => c.mode === 'managed' && c.change.actions.join() !== 'no-op')) {
        progress(`  moves: ${c.change.actions.join()} ${c.address}`);
      }
    }
    const next = correctState(state, check);
    if (next.corrected === 0) return state;
    state = next.state;
  }
  throw new Error(
    `the synthetic base state of ${baseDir} did not settle after ${MAX_CORRECTIONS} rounds; ` +
      'the review would show changes that are not there (REVIEW_DEBUG=1 prints the resources that move)',
  );
}

/** Initializes a stack directory with the offline provider (no state yet). */
export async function initOffline(tf: OfflineTerraform, dir: string): Promise<string> {
  const statePath = writeOfflineOverride(dir);
  await terraform(tf, dir, ['init', '-input=false', '-no-color', '-reconfigure']);
  return statePath;
}

/**
 * Plans an initialized head stack against a state, with `-refresh=false`: the provider compares the
 * head's configuration with the state and says what it would update or replace, calling no AWS API.
 * Without a state (a new stack) it is a create-only plan.
 */
export async function planHead(
  tf: OfflineTerraform,
  headDir: string,
  statePath: string,
  state: TerraformState | undefined,
  progress: Progress = () => undefined,
): Promise<PlanJson> {
  if (state) writeFileSync(statePath, JSON.stringify(state));
  progress('head: plan against the base state');
  return planJson(tf, headDir, ['-refresh=false'], 'head.plan');
}

/**
 * The whole what-if for one stack, with the base's verification plan and the head's plan run side by
 * side on the corrected state (two cores, two plans): the head's plan is kept once the base's own
 * plan against the same state is empty, which proves the state consistent.
 */
export async function whatIf(tf: OfflineTerraform, baseDir: string, headDir: string, progress: Progress = () => undefined): Promise<PlanJson> {
  const baseStatePath = writeOfflineOverride(baseDir);
  // Inits first, one after the other: an init relinks the shared plugin cache, and a plan running
  // meanwhile in another directory can find its provider missing.
  progress('base and head: terraform init');
  await terraform(tf, baseDir, ['init', '-input=false', '-no-color', '-reconfigure']);
  const headStatePath = await initOffline(tf, headDir);
  progress('base: create-only plan');
  const created = await planJson(tf, baseDir, [], 'create.plan');
  const schemas = await resourceSchemas(tf, baseDir);
  let state: TerraformState = syntheticState(created, schemas);
  resolveReferences(state, JSON.parse(readFileSync(join(baseDir, 'cdk.tf.json'), 'utf8')) as TerraformConfig);
  for (let round = 1; round <= MAX_CORRECTIONS + 1; round++) {
    writeFileSync(baseStatePath, JSON.stringify(state));
    progress(`base consistency plan and head plan, round ${round}`);
    const [check, head] = await Promise.all([
      planJson(tf, baseDir, ['-refresh=false'], 'check.plan'),
      planHead(tf, headDir, headStatePath, state),
    ]);
    const next = correctState(state, check);
    if (next.corrected === 0) return head;
    state = next.state;
  }
  throw new Error(`the synthetic base state of ${baseDir} did not settle after ${MAX_CORRECTIONS} rounds`);
}

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { OfflineTerraform, terraform, writeOfflineOverride } from './terraform';
import { PlanJson, parsePlan } from './plan-json';
import { parseJson } from './parse-json';
import { streamShowsChanges } from './plan-stream';
import { resourceSchemas } from './terraform-provider-schema';
import { TerraformState, configState, correctState, resolveReferences } from './synthetic-state';
import { StackConfig, readStackConfig } from './stack-config';

/** Progress lines for long steps (each Terraform call takes seconds). */
type Progress = (message: string) => void;

async function planJson(tf: OfflineTerraform, dir: string, args: readonly string[], name: string): Promise<PlanJson> {
  await terraform(tf, dir, ['plan', '-input=false', '-lock=false', '-no-color', `-out=${name}`, ...args]);
  return parsePlan(await terraform(tf, dir, ['show', '-json', name]), join(dir, name));
}

/**
 * Plans with `-json` (Terraform's machine-readable progress stream) and says whether any managed
 * resource would change. An empty plan needs no `terraform show -json` (which loads the provider
 * schema again, seconds); a plan with changes is read in full, so `correctState` sees everything.
 */
async function checkPlan(tf: OfflineTerraform, dir: string, name: string): Promise<PlanJson | 'empty'> {
  const stream = await terraform(tf, dir, ['plan', '-input=false', '-lock=false', '-no-color', '-refresh=false', '-json', `-out=${name}`]);
  if (!streamShowsChanges(stream, `terraform plan -json in ${dir}`)) return 'empty';
  return parsePlan(await terraform(tf, dir, ['show', '-json', name]), join(dir, name));
}

/** How many correction rounds the base state gets before we accept it (each is one plan). */
const MAX_CORRECTIONS = 3;

/** The synthetic base state before any correction: built from the configuration, no plan (see `configState`). */
async function initialState(tf: OfflineTerraform, baseDir: string, config: StackConfig, version: Promise<string>): Promise<TerraformState> {
  return configState(config, await resourceSchemas(tf, baseDir), await version);
}

const versionSchema = z.looseObject({ terraform_version: z.string() });

/** The Terraform version, for the state; asked while init runs (a failed init leaves it unawaited, hence the catch). */
function terraformVersion(tf: OfflineTerraform, dir: string): Promise<string> {
  const version = terraform(tf, dir, ['version', '-json']).then(
    (out) => parseJson(versionSchema, out, 'terraform version -json', 'version JSON').terraform_version,
  );
  version.catch(() => undefined);
  return version;
}

/**
 * A synthetic state of the base stack (see synthetic-state.ts): built from the base's configuration
 * and the provider schema, then corrected by planning the base against it until that plan is empty.
 */
export async function baseState(tf: OfflineTerraform, baseDir: string, progress: Progress = () => undefined): Promise<TerraformState> {
  const statePath = writeOfflineOverride(baseDir);
  const config = readStackConfig(baseDir);
  const version = terraformVersion(tf, baseDir);
  progress('base: terraform init');
  await terraform(tf, baseDir, ['init', '-input=false', '-no-color', '-reconfigure']);
  let state = await initialState(tf, baseDir, config, version);
  for (let round = 1; round <= MAX_CORRECTIONS; round++) {
    writeFileSync(statePath, JSON.stringify(state));
    progress(`base: consistency plan ${round}`);
    const check = await checkPlan(tf, baseDir, 'check.plan');
    if (check === 'empty') return state;
    debugMoves(check, progress);
    const next = correctState(state, check);
    if (next.corrected === 0) return state;
    state = next.state;
    resolveReferences(state, config);
  }
  throw new Error(
    `the synthetic base state of ${baseDir} did not settle after ${MAX_CORRECTIONS} rounds; ` +
      'the review would show changes that are not there (REVIEW_DEBUG=1 prints the resources that move)',
  );
}

/** With REVIEW_DEBUG set, says which resources a consistency plan still moves. */
function debugMoves(check: PlanJson, progress: Progress): void {
  if (!process.env.REVIEW_DEBUG) return;
  for (const c of check.resource_changes.filter((c) => c.mode === 'managed' && c.change.actions.join() !== 'no-op')) {
    progress(`  moves: ${c.change.actions.join()} ${c.address}`);
  }
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
 * The whole what-if for one stack. The base's synthetic state is built straight from its configuration
 * and the provider schema (`configState`, no plan), then corrected by planning the base against it
 * until that plan is empty; in every round the head's plan runs beside the base's check on the same
 * state (two cores, two plans) and is kept once the check is empty, which proves the state consistent.
 * The state fresh from the configuration is usually right the first time (provider defaults, jsonencode,
 * base64encode and policy documents are filled in without a plan), so one round is the common case.
 */
export async function whatIf(
  tf: OfflineTerraform,
  baseDir: string,
  headDir: string,
  progress: Progress = () => undefined,
  options: WhatIfOptions = {},
): Promise<WhatIfResult> {
  return runWhatIf(tf, await prepareWhatIf(tf, baseDir, headDir, progress), progress, options);
}

/** A base and head directory initialized for a what-if, with what the base state is built from. */
export interface PreparedWhatIf {
  readonly baseDir: string;
  readonly headDir: string;
  readonly baseStatePath: string;
  readonly headStatePath: string;
  readonly config: StackConfig;
  readonly version: Promise<string>;
}

/**
 * The what-if's inits. Separate so a review of several stacks can init them all before any plan
 * runs: an init relinks the shared plugin cache, and a plan running meanwhile in another directory
 * can find its provider missing.
 */
export async function prepareWhatIf(
  tf: OfflineTerraform,
  baseDir: string,
  headDir: string,
  progress: Progress = () => undefined,
): Promise<PreparedWhatIf> {
  const baseStatePath = writeOfflineOverride(baseDir);
  progress('base and head: terraform init');
  const config = readStackConfig(baseDir);
  const version = terraformVersion(tf, baseDir);
  await terraform(tf, baseDir, ['init', '-input=false', '-no-color', '-reconfigure']);
  const headStatePath = await initOffline(tf, headDir);
  return { baseDir, headDir, baseStatePath, headStatePath, config, version };
}

/** The head's plan, and the resources the base state's consistency proof could not vouch for. */
export interface WhatIfResult {
  readonly plan: PlanJson;
  /**
   * Addresses that planning the base against its synthetic state still changes after the last
   * correction: the state is not proven there, so the head's plan may show changes for them that the
   * change under review does not make. Empty when the proof holds (the base plans as "no changes").
   */
  readonly unvouched: readonly string[];
}

export interface WhatIfOptions {
  /** Correction rounds before the review stops correcting and reports what it cannot vouch for. */
  readonly maxCorrections?: number;
}

function moved(check: PlanJson): string[] {
  return check.resource_changes.filter((c) => c.mode === 'managed' && c.change.actions.join() !== 'no-op').map((c) => c.address);
}

/** The what-if's plans on prepared directories (see `whatIf`). */
export async function runWhatIf(
  tf: OfflineTerraform,
  p: PreparedWhatIf,
  progress: Progress = () => undefined,
  options: WhatIfOptions = {},
): Promise<WhatIfResult> {
  const { baseDir, headDir, baseStatePath, headStatePath, config } = p;
  const maxCorrections = options.maxCorrections ?? MAX_CORRECTIONS;
  let state = await initialState(tf, baseDir, config, p.version);
  for (let round = 1; ; round++) {
    writeFileSync(baseStatePath, JSON.stringify(state));
    progress(`base consistency plan and head plan, round ${round}`);
    const [check, head] = await Promise.all([checkPlan(tf, baseDir, 'check.plan'), planHead(tf, headDir, headStatePath, state)]);
    if (check === 'empty') return { plan: head, unvouched: [] };
    debugMoves(check, progress);
    const next = round > maxCorrections ? undefined : correctState(state, check);
    if (!next || next.corrected === 0) {
      // The proof does not hold: say for which resources, rather than using the state silently.
      return { plan: head, unvouched: moved(check) };
    }
    state = next.state;
    resolveReferences(state, config);
  }
}

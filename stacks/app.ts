import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktf';
import { PlatformConfig, STATE_BOOTSTRAP_STACK } from './config';
import { PlatformStack } from './platform-stack';
import { StateBootstrapStack, stateBuckets } from './state';

export interface SynthOptions {
  /** Where cdk.tf.json files go. @default cdktf's default (cdktf.out, or the CLI's choice) */
  readonly outdir?: string;
  /**
   * Synthesize even when a policy rule fails (cdktf's validations are skipped). Only for tools that
   * report the policy results themselves, like the plan review. @default false
   */
  readonly skipPolicy?: boolean;
}

/**
 * What cdktf writes into a stack's folder: the configuration in one form or the other, and the HCL
 * form's metadata. Terraform reads every *.tf and *.tf.json in the folder, so a cdk.tf left from an
 * HCL synth beside a new cdk.tf.json (or the reverse) declares everything twice and init fails.
 */
export const SYNTHESIZED_FILES = ['cdk.tf', 'cdk.tf.json', 'metadata.json'] as const;

/**
 * An App that removes those files from the folder of each stack it synthesizes before writing, so
 * the JSON and the HCL synth alternate cleanly. Only those files: the rest of the folder is
 * Terraform's and the operator's (.terraform/, the lock file, local state, plans, *_override.tf.json
 * such as the offline tests write), and must survive a synth. Folders of stacks no longer in the
 * config are left alone: this synth does not know what they hold.
 */
class PlatformApp extends App {
  override synth(): void {
    for (const stack of this.node.findAll().filter(TerraformStack.isStack)) {
      for (const file of SYNTHESIZED_FILES) rmSync(join(this.outdir, 'stacks', stack.node.id, file), { force: true });
    }
    super.synth();
  }
}

/**
 * Builds the app: one PlatformStack per environment, named after it, and, when environments keep
 * their state in S3, the `state-bootstrap` stack that creates those buckets (deployed first). Stack
 * traces are off: they only feed cdktf's construct metadata and cost a large part of synth time.
 */
export function buildApp(
  config: PlatformConfig,
  options: SynthOptions = {},
): { app: App; stacks: PlatformStack[]; bootstrap?: StateBootstrapStack } {
  const app = new PlatformApp({ outdir: options.outdir, stackTraces: false, skipValidation: options.skipPolicy ?? false });
  const stacks = config.environments.map((env) => new PlatformStack(app, env.name, { env }));
  const buckets = stateBuckets(config);
  const bootstrap = buckets.length > 0 ? new StateBootstrapStack(app, STATE_BOOTSTRAP_STACK, buckets) : undefined;
  return { app, stacks, bootstrap };
}

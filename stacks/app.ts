import { App } from 'cdktf';
import { PlatformConfig } from './config';
import { PlatformStack } from './platform-stack';

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
 * Builds the app: one PlatformStack per environment, named after it. Stack traces are off: they only
 * feed cdktf's construct metadata and cost a large part of synth time.
 */
export function buildApp(config: PlatformConfig, options: SynthOptions = {}): { app: App; stacks: PlatformStack[] } {
  const app = new App({ outdir: options.outdir, stackTraces: false, skipValidation: options.skipPolicy ?? false });
  const stacks = config.environments.map((env) => new PlatformStack(app, env.name, { env }));
  return { app, stacks };
}

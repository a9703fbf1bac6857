import { App } from 'cdktf';
import { PlatformConfig } from './config';
import { PlatformStack } from './platform-stack';

export interface SynthOptions {
  /** Where cdk.tf.json files go. @default cdktf's default (cdktf.out, or the CLI's choice) */
  readonly outdir?: string;
}

/**
 * Builds the app: one PlatformStack per environment, named after it. Stack traces are off: they only
 * feed cdktf's construct metadata and cost a large part of synth time.
 */
export function buildApp(config: PlatformConfig, options: SynthOptions = {}): { app: App; stacks: PlatformStack[] } {
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stacks = config.environments.map((env) => new PlatformStack(app, env.name, { env }));
  return { app, stacks };
}

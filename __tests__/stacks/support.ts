import { Testing } from 'cdktf';
import { EnvironmentConfig, EnvironmentConfigInput, parseConfig } from '../../stacks/config';
import { PlatformStack } from '../../stacks/platform-stack';

/** A minimal valid environment; tests override what they are about. */
export const BASE_ENV: EnvironmentConfigInput = { name: 'test', region: 'eu-west-1' };

/** Validates an environment exactly as a config file would be (defaults filled in). */
export function environment(overrides: Partial<EnvironmentConfigInput> = {}): EnvironmentConfig {
  return parseConfig({ environments: [{ ...BASE_ENV, ...overrides }] }, 'test-config.json').environments[0];
}

export interface SynthesizedStack {
  /** The synthesized JSON, for cdktf's jest matchers. */
  readonly json: string;
  /** The same, parsed, for lookups the matchers cannot express. */
  readonly tf: TerraformJson;
}

export interface TerraformJson {
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
  readonly output: Record<string, { value: unknown }>;
  readonly data?: Record<string, Record<string, Record<string, unknown>>>;
}

/** Synthesizes a whole PlatformStack for one environment. */
export function synthPlatform(overrides: Partial<EnvironmentConfigInput> = {}): SynthesizedStack {
  const app = Testing.app({ stackTraces: false });
  const stack = new PlatformStack(app, 'test', { env: environment(overrides) });
  const json = Testing.synth(stack);
  return { json, tf: JSON.parse(json) as TerraformJson };
}

/** All resources of one Terraform type, as a list. */
export function resourcesOf(tf: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(tf.resource[type] ?? {});
}

/** The container definition (decoded) of the task whose family ends with `-<service>`. */
export function containerOf(tf: TerraformJson, service: string): Record<string, unknown> {
  const task = resourcesOf(tf, 'aws_ecs_task_definition').find((t) => String(t.family).endsWith(`-${service}`));
  if (!task) throw new Error(`no task definition for ${service}`);
  const encoded = String(task.container_definitions);
  // Fn.jsonencode synthesizes to "${jsonencode([...])}", an HCL object expression: `"key" = value`.
  const inner = encoded
    .replace(/^\$\{jsonencode\(/, '')
    .replace(/\)\}$/, '')
    .replace(/"([A-Za-z0-9-]+)" = /g, '"$1": ')
    // A bare reference (`aws_x.y.name`) becomes the "${aws_x.y.name}" string the JSON form would hold.
    .replace(/": ((?:aws|data)[\w.-]+)/g, '": "${$1}"');
  const list = JSON.parse(inner) as Record<string, unknown>[];
  return list[0];
}

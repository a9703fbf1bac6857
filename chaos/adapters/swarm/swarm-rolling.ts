import { copiesOf } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import type { JsonObject } from '../../../contract/json';
import { ActivityFailedError } from '../../errors';
import type { DriverContext } from '../../faults/types';
import type { DockerCli } from './docker-cli';
import { docker, SWARM_SERVICE_LABEL } from './swarm-state';

/** Swarm service names (the outputs' copies) and image references, as the rolling update accepts them. */
const SWARM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const IMAGE_REF = /^[a-z0-9][a-z0-9._/:-]{0,254}(?:@sha256:[0-9a-f]{64})?$/;
/** A Docker tag (the config's `imageTag` form). */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** What the rolling update does, and how long it may wait for each copy. */
export interface RollingUpdateOptions {
  /** The new tag each copy moves to; the same image content under a new name when absent from the registry. */
  readonly tag: string;
  /** Seconds each copy may take to run the new image, healthy. */
  readonly timeoutSeconds: number;
  /**
   * Seconds to wait after a copy is healthy on the new image before the next copy goes: longer
   * than the proxy's fail_timeout (1 s), so the copy is back in the proxy's rotation first.
   */
  readonly settleSeconds: number;
  /** The image each copy goes back to (the rollback); absent: `<repository>:<tag>`. */
  readonly images?: Readonly<Record<string, string>>;
}

/** The copies' swarm service names, copy 1 first (the outputs' `copies`, else the one service). */
export function copyServiceNames(ctx: DriverContext, service: ServiceName): readonly string[] {
  const names = copiesOf(ctx.outputs.services[service]).map((c) => c.serviceName);
  for (const name of names)
    if (!SWARM_NAME.test(name)) throw new ActivityFailedError(`refused swarm service name ${JSON.stringify(name)} from the outputs`);
  return names;
}

/** The image a swarm service's spec runs, without the digest swarm may pin. */
async function specImage(ctx: DriverContext, cli: DockerCli, name: string): Promise<string> {
  const image = (
    await docker(cli, ['service', 'inspect', '--format', '{{.Spec.TaskTemplate.ContainerSpec.Image}}', name], ctx.signal)
  ).trim();
  if (!IMAGE_REF.test(image)) throw new ActivityFailedError(`unexpected image of ${name}: ${JSON.stringify(image.slice(0, 100))}`);
  return image.replace(/@sha256:[0-9a-f]{64}$/, '');
}

/** `<repository>:<tag>` from an image reference with or without a tag (a registry port is not a tag). */
export function retagged(image: string, tag: string): string {
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  const repository = colon > slash ? image.slice(0, colon) : image;
  return `${repository}:${tag}`;
}

/** Whether the copy's one running container runs `image` and is healthy. */
async function runsHealthy(ctx: DriverContext, cli: DockerCli, name: string, image: string): Promise<string | null> {
  const out = await docker(
    cli,
    ['ps', '--filter', `label=${SWARM_SERVICE_LABEL}=${name}`, '--format', '{{.ID}} {{.Image}} {{.Status}}'],
    ctx.signal,
  );
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  if (lines.length !== 1) return null;
  const [id = '', running = '', ...status] = (lines[0] ?? '').split(' ');
  return running === image && status.join(' ').includes('(healthy)') ? id : null;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/**
 * Rolls a new image over the service's copies one at a time, as Terraform does on ECS (copy 2
 * waits for copy 1's steady state): for each copy, tag its image with the new tag on the engine,
 * `docker service update --image` (stop-first: the copy's port is fixed), wait until its one
 * container runs the new image healthy, then `settleSeconds` before the next. Returns what each
 * copy ran before and after, and how long it took.
 */
export async function rollingUpdate(
  ctx: DriverContext,
  cli: DockerCli,
  service: ServiceName,
  options: RollingUpdateOptions,
): Promise<JsonObject> {
  if (!IMAGE_TAG.test(options.tag)) throw new ActivityFailedError(`refused image tag ${JSON.stringify(options.tag)}`);
  const names = copyServiceNames(ctx, service);
  ctx.guard(names.map((name) => ({ kind: 'service' as const, service: name })));
  const copies: JsonObject[] = [];
  for (const name of names) {
    const before = await specImage(ctx, cli, name);
    // Rolling back: each copy to its recorded image, a copy not recorded (the run stopped before it) left as it is.
    const target = options.images !== undefined ? (options.images[name] ?? before) : retagged(before, options.tag);
    if (!IMAGE_REF.test(target)) throw new ActivityFailedError(`refused image ${JSON.stringify(target)}`);
    const started = ctx.clock.now();
    if (target === before) {
      copies.push({ serviceName: name, from: before, to: target, changed: false, tookMs: 0 });
      continue;
    }
    // The same content under the new name: the engine has the image, no registry is asked.
    if (options.images === undefined) await docker(cli, ['image', 'tag', before, target], ctx.signal);
    ctx.log.info(`rolling ${name}: ${before} -> ${target}`);
    await docker(
      cli,
      ['service', 'update', '--detach', '--quiet', '--no-resolve-image', '--update-order', 'stop-first', '--image', target, name],
      ctx.signal,
    );
    const deadline = started + options.timeoutSeconds * 1000;
    let container: string | null = null;
    while (container === null) {
      if (ctx.clock.now() > deadline)
        throw new ActivityFailedError(
          `${name} did not run ${target} healthy within ${options.timeoutSeconds}s; the copies after it were not touched`,
        );
      await sleep(200, ctx.signal);
      container = await runsHealthy(ctx, cli, name, target);
    }
    const tookMs = ctx.clock.now() - started;
    ctx.log.info(`${name} runs ${target} healthy (container ${container}) after ${tookMs} ms; settling ${options.settleSeconds}s`);
    await sleep(options.settleSeconds * 1000, ctx.signal);
    copies.push({ serviceName: name, from: before, to: target, changed: true, container, tookMs });
  }
  return { service, tag: options.tag, copies, engine: cli.host };
}

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '../contract/services';
import { run, runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import { StepFailedError } from './errors';
import type { Progress } from './progress';
import { rehearsalFiles, type RehearsalSettings } from './settings';

/** One service image as built for the rehearsal. */
interface BuiltImage {
  /** `platform/<service>:local`. */
  readonly ref: string;
  /** Image id (`sha256:…`): the stack pins it so a rebuilt image replaces the running task. */
  readonly id: string;
  readonly sizeBytes: number;
}

/** The images issue's limit for the api image. */
export const API_IMAGE_MAX_BYTES = 15_000_000;

/** The tag of every image the rehearsal builds (its outputs' `imageTag`). */
export const IMAGE_TAG = 'local';

/** Local repository of a service's image (the stand-in for its ECR repository URL). */
export function imageRepository(service: ServiceName): string {
  return `platform/${service}`;
}

/** `docker/<service>/Dockerfile`: the same file the image pipeline builds for ECR. */
function dockerfileOf(settings: Pick<RehearsalSettings, 'dockerDir'>, service: ServiceName): string {
  return path.join(settings.dockerDir, service, 'Dockerfile');
}

/** The text of each service's Dockerfile; a missing one is a failure that names it. */
export function readDockerfiles(settings: Pick<RehearsalSettings, 'dockerDir'>): Readonly<Record<ServiceName, string>> {
  const read = (service: ServiceName): string => {
    const file = dockerfileOf(settings, service);
    if (!existsSync(file)) throw new StepFailedError(`${file} is missing: the rehearsal builds the ${service} image from it`);
    return readFileSync(file, 'utf8');
  };
  return { frontend: read('frontend'), api: read('api'), proxy: read('proxy') };
}

/** The short commit the api reports as its version, `dev` outside a git checkout. */
async function sourceVersion(repoRoot: string): Promise<string> {
  const result = await runCommand('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, timeoutMs: 10_000 }).catch(() => undefined);
  return result?.code === 0 ? result.stdout.trim() : 'dev';
}

/**
 * Builds one image the way the image pipeline does: context `docker/`, the service's Dockerfile.
 * `--network host` lets apt-get inside the build reach the Debian mirror without the bridge
 * network; no `--pull` (it would ask Docker Hub for the bases).
 */
async function buildImage(
  settings: RehearsalSettings,
  engine: Engine,
  service: ServiceName,
  dockerfile: string,
  version: string,
): Promise<BuiltImage> {
  const ref = `${imageRepository(service)}:${IMAGE_TAG}`;
  const logs = rehearsalFiles(settings).logs;
  mkdirSync(logs, { recursive: true });
  // Only a Dockerfile that declares VERSION gets it: an unused build-arg is a warning on every build.
  const versionArg = /^\s*ARG\s+VERSION\b/m.test(dockerfile) ? ['--build-arg', `VERSION=${version}`] : [];
  const logFile = path.join(logs, `build-${service}.log`);
  writeFileSync(logFile, '');
  await run('docker', ['build', '--network', 'host', '-f', dockerfileOf(settings, service), ...versionArg, '-t', ref, settings.dockerDir], {
    env: dockerEnv(engine),
    logFile,
    timeoutMs: 900_000,
  });
  const [id = '', size = ''] = (
    await run('docker', ['image', 'inspect', '--format', '{{.Id}} {{.Size}}', ref], { env: dockerEnv(engine) })
  ).split(' ');
  return { ref, id, sizeBytes: Number(size) };
}

/** Builds the three service images, one step each (a warm build is the layer cache: ~1 s). */
export async function buildImages(
  settings: RehearsalSettings,
  engine: Engine,
  dockerfiles: Readonly<Record<ServiceName, string>>,
  progress: Progress,
): Promise<Readonly<Record<ServiceName, BuiltImage>>> {
  const version = await sourceVersion(settings.repoRoot);
  const built: Partial<Record<ServiceName, BuiltImage>> = {};
  for (const service of SERVICE_NAMES) {
    built[service] = await progress.step(`image ${imageRepository(service)}:${IMAGE_TAG}`, async (step) => {
      const image = await buildImage(settings, engine, service, dockerfiles[service], version);
      step.detail(`${(image.sizeBytes / 1e6).toFixed(1)} MB, ${image.id.slice(7, 19)}`);
      return image;
    });
  }
  const { frontend, api, proxy } = built;
  if (frontend === undefined || api === undefined || proxy === undefined) throw new StepFailedError('an image build returned nothing');
  return { frontend, api, proxy };
}

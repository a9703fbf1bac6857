import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { run, runCommand } from './command';
import { dockerEnv, type Engine } from './docker-engine';
import { PrerequisiteError, StepFailedError } from './errors';
import { mountsUnder } from './mounts';
import type { Progress } from './progress';
import { rehearsalFiles, type RehearsalSettings } from './settings';
import { requireTools, TOOLS } from './tools';

/**
 * Docker Hub is out of reach here, so the bases the Dockerfiles name must exist in the engine
 * before a build, under exactly those tags (a build never pulls what the engine has). Where a base
 * is missing, a stand-in is made from Debian's own mirror, which is reachable: a debootstrapped
 * bookworm root file system imported as `debian:bookworm-slim`, and on top of it Debian's Go as
 * `golang:1.22-bookworm`. A tag already in the engine (a stand-in from an earlier run, or the real
 * image on a machine that can pull) is used as it is.
 */

const STAND_INS_DIR = path.join(__dirname, 'stand-ins');
const DEBIAN = 'debian:bookworm-slim';
const GOLANG = 'golang:1.22-bookworm';

/** The bases this module can stand in for. */
const STAND_IN_TAGS: readonly string[] = [DEBIAN, GOLANG];

/**
 * The external images a Dockerfile builds FROM: every `FROM` image except `scratch` and the
 * names of earlier stages.
 */
export function baseImagesOf(dockerfile: string): readonly string[] {
  const stages = new Set<string>();
  const bases: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const match = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (!match) continue;
    const image = match[1] ?? '';
    if (image !== 'scratch' && !stages.has(image.toLowerCase()) && !bases.includes(image)) bases.push(image);
    if (match[2] !== undefined) stages.add(match[2].toLowerCase());
  }
  return bases;
}

/** Whether the engine has an image under `ref`. */
async function imageExists(engine: Engine, ref: string): Promise<boolean> {
  const result = await runCommand('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], {
    env: dockerEnv(engine),
    timeoutMs: 30_000,
  });
  return result.code === 0;
}

/** Makes sure every base in `bases` exists in the engine, making stand-ins for the ones it can. */
export async function ensureBaseImages(
  settings: RehearsalSettings,
  engine: Engine,
  bases: readonly string[],
  progress: Progress,
): Promise<void> {
  const missing: string[] = [];
  for (const base of bases) if (!(await imageExists(engine, base))) missing.push(base);
  const unknown = missing.filter((base) => !STAND_IN_TAGS.includes(base));
  if (unknown.length > 0) {
    throw new PrerequisiteError(
      `The Dockerfiles build FROM ${unknown.join(', ')}, which the engine does not have and the rehearsal has no stand-in for ` +
        `(it makes ${STAND_IN_TAGS.join(' and ')}). Load it into the engine (docker load) or use an engine that can pull it.`,
    );
  }
  if (missing.length === 0) {
    progress.note(`base images: ${bases.join(', ')} present`);
    return;
  }
  // The Go stand-in is built on the Debian one, so Debian comes first whenever either is missing.
  if (!(await imageExists(engine, DEBIAN))) {
    await progress.step(`stand-in ${DEBIAN} (debootstrap bookworm minbase, once)`, async (step) => {
      step.detail(await makeDebianStandIn(settings, engine));
    });
  }
  if (missing.includes(GOLANG)) {
    await progress.step(`stand-in ${GOLANG} (Debian's Go on ${DEBIAN}, once)`, async (step) => {
      step.detail(await makeGolangStandIn(settings, engine));
    });
  }
}

async function imageSize(engine: Engine, ref: string): Promise<string> {
  const bytes = Number(await run('docker', ['image', 'inspect', '--format', '{{.Size}}', ref], { env: dockerEnv(engine) }));
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

function removeWorkDir(dir: string): void {
  const mounts = mountsUnder(dir);
  if (mounts.length > 0) {
    // Never delete through a mounted /proc or /sys: leave it to a human.
    throw new StepFailedError(`${dir} still has mounts (${mounts.join(', ')}): unmount them, then remove the directory`);
  }
  rmSync(dir, { recursive: true, force: true });
}

async function makeDebianStandIn(settings: RehearsalSettings, engine: Engine): Promise<string> {
  if (!settings.isRoot) {
    throw new PrerequisiteError(
      `The engine has no ${DEBIAN} and Docker Hub is out of reach; making a stand-in with debootstrap needs root.`,
    );
  }
  const tools = requireTools({ debootstrap: TOOLS.debootstrap, tar: TOOLS.tar }, `Making the ${DEBIAN} stand-in`);
  const work = path.join(settings.stateDir, 'stand-ins', 'debian-bookworm');
  const rootfs = path.join(work, 'rootfs');
  const tarball = path.join(work, 'rootfs.tar');
  removeWorkDir(work);
  mkdirSync(work, { recursive: true });
  const logs = rehearsalFiles(settings).logs;
  mkdirSync(logs, { recursive: true });
  const logFile = path.join(logs, 'debootstrap.log');
  writeFileSync(logFile, '');
  await run(tools.debootstrap, ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'], { logFile, timeoutMs: 900_000 });
  // What makes the official image "slim" (its apt and dpkg configuration, deb822 sources with
  // updates and security), then what debootstrap leaves behind that an image does not need.
  rmSync(path.join(rootfs, 'etc', 'apt', 'sources.list'), { force: true });
  cpSync(path.join(STAND_INS_DIR, 'debian-bookworm-slim'), rootfs, { recursive: true });
  for (const leftover of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info']) {
    const dir = path.join(rootfs, leftover);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  mkdirSync(path.join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  // Translations are most of what is left (~33 MB); the slim image keeps only locale.alias.
  const locales = path.join(rootfs, 'usr/share/locale');
  for (const entry of readdirSync(locales))
    if (entry !== 'locale.alias') rmSync(path.join(locales, entry), { recursive: true, force: true });
  await run(tools.tar, ['--numeric-owner', '-C', rootfs, '-cf', tarball, '.'], { logFile });
  await run(
    'docker',
    [
      'import',
      '--change',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      '--change',
      'CMD ["bash"]',
      tarball,
      DEBIAN,
    ],
    { env: dockerEnv(engine), logFile },
  );
  removeWorkDir(work);
  return imageSize(engine, DEBIAN);
}

async function makeGolangStandIn(settings: RehearsalSettings, engine: Engine): Promise<string> {
  const logs = rehearsalFiles(settings).logs;
  mkdirSync(logs, { recursive: true });
  const dockerfile = path.join(STAND_INS_DIR, 'golang-1.22-bookworm.Dockerfile');
  if (!existsSync(dockerfile)) throw new StepFailedError(`${dockerfile} is missing`);
  const logFile = path.join(logs, 'stand-in-golang.log');
  writeFileSync(logFile, '');
  // The build context is the Dockerfile alone (stdin): the stand-in copies nothing in.
  await run('docker', ['build', '--network', 'host', '-t', GOLANG, '-'], {
    env: dockerEnv(engine),
    input: readFileSync(dockerfile, 'utf8'),
    logFile,
    timeoutMs: 900_000,
  });
  return imageSize(engine, GOLANG);
}

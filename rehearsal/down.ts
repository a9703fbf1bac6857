import { existsSync, rmSync } from 'node:fs';
import { SERVICE_NAMES } from '../contract/services';
import { runCommand } from './command';
import { dockerEnv, engineVersion, ownEngineHost, ownEnginePid, stopOwnEngine, type Engine } from './docker-engine';
import { StepFailedError } from './errors';
import { IMAGE_TAG, imageRepository } from './images';
import { mountsUnder } from './mounts';
import { Progress } from './progress';
import { readRehearsalState } from './rehearsal-state';
import { CERTIFICATE_VOLUME, rehearsalFiles, type RehearsalSettings } from './settings';
import { stopSshd } from './sshd';
import { leaveSwarm, removeStack } from './swarm';
import { downFleet } from './fleet';
import { removeNodeState } from './nodes';

/** Options of {@link down}. */
interface DownOptions {
  /**
   * Also delete what `up` keeps to be fast next time: the state directory (the own engine's data
   * root: stand-in bases, images, the certificate volume) and `.rehearsal/` (SSH keys, logs); on
   * an engine that is not the rehearsal's own, the three images and the certificate volume.
   */
  readonly purge: boolean;
}

/** The engine `up` used, if one still answers: recorded in the state file, else our own. */
async function findEngine(settings: RehearsalSettings): Promise<Engine | undefined> {
  const state = readRehearsalState(rehearsalFiles(settings).state);
  const candidates: { host: string; own: boolean }[] = [];
  if (state !== undefined) candidates.push({ host: state.dockerHost, own: state.ownEngine });
  if (ownEnginePid(settings) !== undefined) candidates.push({ host: ownEngineHost(settings), own: true });
  for (const candidate of candidates) {
    const version = await engineVersion(candidate.host);
    if (version !== undefined) return { ...candidate, version };
  }
  return undefined;
}

/**
 * `rehearsal down`: removes the stack, leaves the swarm `up` created, stops the sshd and the
 * dockerd `up` started, deletes the outputs (a stale outputs file would send the chaos module at
 * a rehearsal that is gone). Nothing keeps running; the caches stay unless `purge`.
 */
export async function down(settings: RehearsalSettings, options: DownOptions, progress: Progress = new Progress()): Promise<void> {
  const files = rehearsalFiles(settings);
  const state = readRehearsalState(files.state);
  const engine = await findEngine(settings);

  // The nodes first: their engines are the swarm's workers.
  await downFleet(settings, engine, progress);
  if (engine !== undefined) {
    await progress.step('stack', async (step) => {
      const removed = await removeStack(engine, 60_000);
      step.detail(removed > 0 ? `removed ${removed} services, their containers are gone` : 'none deployed');
    });
    // Only a swarm the rehearsal made is left: an engine's own swarm is not ours to dissolve.
    if (engine.own || state?.swarmInitialized === true) {
      await progress.step('swarm', async (step) => {
        step.detail((await leaveSwarm(engine)) ? 'left' : 'not active');
      });
    }
    if (options.purge && !engine.own) {
      await progress.step('purge images and volume', async (step) => {
        const removed: string[] = [];
        // One at a time: `docker image rm a b c` stops at the first that is not there.
        for (const ref of SERVICE_NAMES.map((s) => `${imageRepository(s)}:${IMAGE_TAG}`)) {
          if ((await runCommand('docker', ['image', 'rm', ref], { env: dockerEnv(engine) })).code === 0) removed.push(ref);
        }
        if ((await runCommand('docker', ['volume', 'rm', CERTIFICATE_VOLUME], { env: dockerEnv(engine) })).code === 0)
          removed.push(`volume ${CERTIFICATE_VOLUME}`);
        step.detail(
          `removed ${removed.length > 0 ? removed.join(', ') : 'nothing (none there)'}; base images kept: they may be real images on this engine`,
        );
      });
    }
  } else {
    progress.note('no rehearsal engine answers: no stack to remove');
  }

  await progress.step('ssh endpoint', async (step) => {
    step.detail((await stopSshd(settings)) === 'stopped' ? 'sshd stopped' : 'sshd not running');
  });
  await progress.step('docker engine', async (step) => {
    step.detail((await stopOwnEngine(settings)) === 'stopped' ? 'own dockerd stopped' : 'no own dockerd running');
  });
  for (const file of [files.outputs, files.state, files.stack, files.restartEngine]) rmSync(file, { force: true });

  if (options.purge) {
    await progress.step('purge caches', async (step) => {
      for (const dir of [settings.stateDir, settings.rehearsalDir]) {
        const mounts = mountsUnder(dir);
        if (mounts.length > 0)
          throw new StepFailedError(`${dir} still has mounts (${mounts.join(', ')}): unmount them, then run down --purge again`);
      }
      removeNodeState(settings);
      const removed = [settings.stateDir, settings.rehearsalDir].filter((dir) => existsSync(dir));
      for (const dir of removed) rmSync(dir, { recursive: true, force: true });
      step.detail(removed.length > 0 ? `removed ${removed.join(', ')}` : 'nothing to remove');
    });
  }
  progress.note('rehearsal down: nothing of it runs any more');
}

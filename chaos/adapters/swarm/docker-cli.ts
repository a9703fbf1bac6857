import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { DockerCli, DockerCliResult } from '../../faults/types';

/** What the swarm driver reads from `.rehearsal/rehearsal.json` (written by `rehearsal up`). */
const rehearsalStateSchema = z.looseObject({ dockerHost: z.string().min(1) });

/**
 * The engine the rehearsal runs on: `DOCKER_HOST` when set, else the socket `rehearsal up` recorded
 * in `.rehearsal/rehearsal.json` (its engine may listen on a socket of its own), else the CLI's
 * default.
 */
export function rehearsalDockerHost(env: Readonly<Record<string, string | undefined>>, cwd: string): string | null {
  const fromEnv = env.DOCKER_HOST;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  let text: string;
  try {
    text = readFileSync(join(cwd, '.rehearsal', 'rehearsal.json'), 'utf8');
  } catch {
    return null;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = rehearsalStateSchema.safeParse(json);
  return parsed.success ? parsed.data.dockerHost : null;
}

/** Bounds what one docker command may print (service ps of a long history is still far below). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/** The docker CLI found on PATH, run with an argument array (never a shell). */
export function localDockerCli(
  options: { env?: Readonly<Record<string, string | undefined>>; cwd?: string; binary?: string } = {},
): DockerCli {
  const env = options.env ?? process.env;
  const host = rehearsalDockerHost(env, options.cwd ?? process.cwd());
  const childEnv = { ...env, ...(host === null ? {} : { DOCKER_HOST: host }) };
  return {
    host,
    run: (args, signal) =>
      new Promise<DockerCliResult>((resolve, reject) => {
        execFile(
          options.binary ?? 'docker',
          [...args],
          { env: childEnv, signal, maxBuffer: MAX_OUTPUT_BYTES, encoding: 'utf8' },
          (error, stdout, stderr) => {
            if (signal.aborted) {
              reject(signal.reason);
              return;
            }
            if (error === null) {
              resolve({ code: 0, stdout, stderr });
              return;
            }
            // A non-zero exit is an answer; not finding docker at all is not.
            const code = error.code;
            if (typeof code === 'number') resolve({ code, stdout, stderr });
            else reject(error);
          },
        );
      }),
  };
}

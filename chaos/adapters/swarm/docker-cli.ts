import { execFile } from 'node:child_process';

/** One `docker` invocation's outcome. */
export interface DockerCliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `docker <args>` without a shell. */
export interface DockerCli {
  /** The engine it talks to (`DOCKER_HOST`), for messages; null for the CLI's default. */
  readonly host: string | null;
  /** Resolves with the exit status (never rejects on a non-zero exit); kills docker when `signal` aborts. */
  run(args: readonly string[], signal: AbortSignal): Promise<DockerCliResult>;
}

/** Bounds what one docker command may print (service ps of a long history is still far below). */
const MAX_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * The docker CLI found on PATH, run with an argument array (never a shell), aimed at `host` (the
 * engine the local outputs name) or, without one, at the CLI's default (`DOCKER_HOST`, the socket).
 */
export function localDockerCli(
  options: { host?: string | null; env?: Readonly<Record<string, string | undefined>>; binary?: string } = {},
): DockerCli {
  const env = options.env ?? process.env;
  const fromEnv = env.DOCKER_HOST === undefined || env.DOCKER_HOST === '' ? null : env.DOCKER_HOST;
  const host = options.host ?? fromEnv;
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

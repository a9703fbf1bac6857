import { runChild } from '../../child-process';

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
  /**
   * Resolves with the exit status (never rejects on a non-zero exit). When `signal` aborts, docker's
   * process group gets SIGTERM, then SIGKILL after 2 s, and the call rejects with the signal's reason.
   */
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
    async run(args, signal) {
      const result = await runChild(options.binary ?? 'docker', args, { env: childEnv, signal, maxOutputBytes: MAX_OUTPUT_BYTES });
      // Stopped: docker's group got SIGTERM (then SIGKILL), so nothing is left waiting on the engine.
      if (result.stopped) throw signal.reason;
      if (result.truncated) throw new Error(`docker ${args[0] ?? ''} printed more than ${MAX_OUTPUT_BYTES} bytes`);
      // A non-zero exit is an answer; docker killed from outside is not, nor is docker missing (runChild rejects).
      if (result.code === null) throw new Error(`docker ${args[0] ?? ''} was killed by ${result.exitSignal ?? 'a signal'}`);
      return { code: result.code, stdout: result.stdout, stderr: result.stderr };
    },
  };
}

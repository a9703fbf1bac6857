import type { DockerCli, DockerCliResult } from '../../../../chaos/adapters/swarm/docker-cli';

/**
 * A docker CLI that answers from recorded output (captured from the rehearsal's engine, docker
 * 28.2) and remembers every argv, for the swarm driver's unit tests.
 */
export class RecordedDocker implements DockerCli {
  readonly host = 'unix:///recorded.sock';
  readonly calls: string[][] = [];
  private readonly answers: { match: (args: readonly string[]) => boolean; result: () => DockerCliResult }[] = [];

  on(prefix: readonly string[], stdout: string | (() => string), code = 0, stderr = ''): this {
    this.answers.unshift({
      match: (args) => prefix.every((word, i) => args[i] === word),
      result: () => ({ code, stdout: typeof stdout === 'string' ? stdout : stdout(), stderr }),
    });
    return this;
  }

  async run(args: readonly string[]): Promise<DockerCliResult> {
    this.calls.push([...args]);
    const answer = this.answers.find((a) => a.match(args));
    return answer ? answer.result() : { code: 1, stdout: '', stderr: `recorded docker: nothing recorded for ${args.join(' ')}` };
  }
}

export const TASK_A = 'inamp8630sz44leznrq1z0nj6';
export const TASK_B = 'k3c0d5x9q2m7w1v8b4n6z0y2a';
export const CONTAINER_A = 'bc6b942c569c7edfaa2aaa5ccdf9ca79d94db9ad8462451f7fb9aaba3ca579bd';
export const CONTAINER_B = '5f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f60718293a4b5c6d7e8f90';

/** `docker ps --no-trunc … --format '{{.ID}} {{.Names}} {{.Label "com.docker.swarm.task.id"}}'` */
export const psLine = (container: string, task: string, service = 'platform-test-api'): string =>
  `${container} ${service}.1.${task} ${task}`;

/** `docker service ps --no-trunc --format '{{json .}}' <service>` lines, as the engine prints them. */
export const taskLine = (id: string, desired: string, current: string, error = '', service = 'platform-test-api'): string =>
  JSON.stringify({
    CurrentState: current,
    DesiredState: desired,
    Error: error,
    ID: id,
    Image: 'platform/api:local',
    Name: `${service}.1`,
    Node: 'vm',
    Ports: '',
  });

/** `docker service ls --filter name=… --format '{{json .}}'` lines (the filter matches prefixes). */
export const serviceLine = (name: string, replicas: string): string =>
  JSON.stringify({ ID: '7axh8y4xrglz', Image: 'platform/api:local', Mode: 'replicated', Name: name, Ports: '', Replicas: replicas });

import { z } from 'zod';
import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { DockerCli } from './docker-cli';

/**
 * What the swarm driver asks the engine, and how it reads the answers. Always the docker CLI with
 * an argument array (no shell); names come from the outputs and are checked anyway, since a name
 * starting with "-" would be read as an option.
 */

const SWARM_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;
/** Label swarm puts on a task's container. */
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';
export const SWARM_TASK_LABEL = 'com.docker.swarm.task.id';
/** Swarm task ids: 25 lower-case letters and digits. */
export const SWARM_TASK_ID = /^[a-z0-9]{25}$/;

export function swarmServiceName(outputs: PlatformOutputs, service: ServiceName): string {
  const name = outputs.services[service].serviceName;
  if (!SWARM_NAME.test(name))
    throw new ActivityFailedError(
      `refused swarm service name ${JSON.stringify(name)} from the outputs: expected letters, digits, "_", "." and "-"`,
    );
  return name;
}

/** `docker service ps --format '{{json .}}'`, one line per task (history included). */
const taskLineSchema = z.looseObject({
  ID: z.string(),
  Name: z.string(),
  DesiredState: z.string(),
  CurrentState: z.string(),
  Error: z.string().default(''),
});

export interface SwarmTask {
  readonly id: string;
  readonly slot: string;
  readonly desiredState: string;
  /** First word of CurrentState: Running, Starting, Preparing, Assigned, Complete, Shutdown, Failed, … */
  readonly state: string;
  readonly currentState: string;
  readonly error: string;
}

/** `docker service ls --format '{{json .}}'`. */
const serviceLineSchema = z.looseObject({ Name: z.string(), Replicas: z.string() });

/** `docker ps` words listing a service's running containers with their task ids. */
export function serviceContainersArgs(serviceName: string): readonly string[] {
  return [
    'ps',
    '--no-trunc',
    '--filter',
    `label=${SWARM_SERVICE_LABEL}=${serviceName}`,
    '--format',
    `{{.ID}} {{.Names}} {{.Label "${SWARM_TASK_LABEL}"}}`,
  ];
}

export function serviceTasksArgs(serviceName: string): readonly string[] {
  return ['service', 'ps', '--no-trunc', '--format', '{{json .}}', serviceName];
}

export function serviceListArgs(serviceName: string): readonly string[] {
  // The name filter matches prefixes: the exact name is picked from the answer.
  return ['service', 'ls', '--filter', `name=${serviceName}`, '--format', '{{json .}}'];
}

/** The non-blank lines of a docker command's output, trimmed. */
export function lines(stdout: string): string[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** One `--format '{{json .}}'` line, parsed; an activity failure naming `what` otherwise. */
export function parseJsonLine(line: string, what: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ActivityFailedError(`unexpected line from ${what}: ${JSON.stringify(line.slice(0, 200))}`);
  }
}

export function parseServiceTasks(stdout: string): SwarmTask[] {
  return lines(stdout).map((line) => {
    const parsed = taskLineSchema.safeParse(parseJsonLine(line, 'docker service ps'));
    if (!parsed.success) throw new ActivityFailedError(`unexpected line from docker service ps: ${JSON.stringify(line.slice(0, 200))}`);
    const t = parsed.data;
    return {
      id: t.ID,
      slot: t.Name.replace(/^\\_\s*/, ''),
      desiredState: t.DesiredState,
      state: t.CurrentState.split(' ')[0] ?? '',
      currentState: t.CurrentState,
      error: t.Error,
    };
  });
}

/** Running and desired replicas of the service named exactly, from `docker service ls`. */
export function parseReplicas(stdout: string, serviceName: string): { running: number; desired: number } | null {
  for (const line of lines(stdout)) {
    const parsed = serviceLineSchema.safeParse(parseJsonLine(line, 'docker service ls'));
    if (!parsed.success || parsed.data.Name !== serviceName) continue;
    const m = /^(\d+)\/(\d+)/.exec(parsed.data.Replicas);
    if (!m) throw new ActivityFailedError(`unexpected replicas "${parsed.data.Replicas}" for ${serviceName} in docker service ls`);
    return { running: Number(m[1]), desired: Number(m[2]) };
  }
  return null;
}

export interface TaskContainer {
  readonly containerId: string;
  readonly name: string;
  readonly taskId: string;
}

export function parseServiceContainers(stdout: string): TaskContainer[] {
  return lines(stdout).map((line) => {
    const m = /^([0-9a-f]{64}) (\S+) ([a-z0-9]{25})$/.exec(line);
    if (!m?.[1] || !m[2] || !m[3]) throw new ActivityFailedError(`unexpected line from docker ps: ${JSON.stringify(line.slice(0, 200))}`);
    return { containerId: m[1], name: m[2], taskId: m[3] };
  });
}

/** Runs docker and returns stdout, failing the activity with its first stderr line otherwise. */
export async function docker(cli: DockerCli, args: readonly string[], signal: AbortSignal): Promise<string> {
  const result = await cli.run(args, signal);
  if (result.code !== 0) {
    const why = (result.stderr.trim() || result.stdout.trim()).split('\n')[0] ?? '';
    throw new ActivityFailedError(
      `docker ${args
        .slice(0, 2)
        .filter((w) => !w.startsWith('-'))
        .join(' ')} failed (exit ${result.code}${cli.host === null ? '' : `, DOCKER_HOST=${cli.host}`}): ${why}`,
    );
  }
  return result.stdout;
}

import type { PlatformOutputs } from '../../../contract/outputs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { DriverContext } from '../../faults/types';
import { commandLine, CONTAINER_ID, safeName } from '../../adapters/ssh/remote-words';
import type { SshSession } from '../../adapters/ssh/ssh-session';

/** Label swarm puts on a task's container: exact, where `--filter name=api` also matches `frontend-api`. */
export const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';
/** Labels the ECS agent puts on a task's containers. */
export const ECS_CONTAINER_LABEL = 'com.amazonaws.ecs.container-name';
export const ECS_FAMILY_LABEL = 'com.amazonaws.ecs.task-definition-family';

/** A container as `docker ps` lists it. */
export interface ListedContainer {
  readonly id: string;
  readonly name: string;
}

/**
 * The label filters that pick a service's container and nothing else: the swarm service label
 * locally; on EC2 the ECS container name together with the task definition family (another task
 * may well have a container called `api`). Every value comes from the outputs and is checked
 * before it goes anywhere near a shell.
 */
export function containerLabels(outputs: PlatformOutputs, service: ServiceName): readonly string[] {
  const s = outputs.services[service];
  switch (outputs.target) {
    case 'local':
      return [`${SWARM_SERVICE_LABEL}=${safeName(s.serviceName, 'swarm service name')}`];
    case 'aws':
      return [
        `${ECS_CONTAINER_LABEL}=${safeName(s.containerName, 'container name')}`,
        `${ECS_FAMILY_LABEL}=${safeName(s.taskFamily, 'task family')}`,
      ];
  }
}

/** `docker ps` words listing the service's running containers. */
export function listContainersCommand(outputs: PlatformOutputs, service: ServiceName): readonly string[] {
  return [
    'docker',
    'ps',
    ...containerLabels(outputs, service).flatMap((label) => ['--filter', `label=${label}`]),
    '--format',
    '{{.ID}} {{.Names}}',
  ];
}

/** Parses `{{.ID}} {{.Names}}` lines, refusing anything else. */
export function parseContainerList(stdout: string): ListedContainer[] {
  return stdout
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\S+) (\S+)$/.exec(line);
      if (!match?.[1] || !match[2] || !CONTAINER_ID.test(match[1]))
        throw new ActivityFailedError(`unexpected line from docker ps: ${JSON.stringify(line)}`);
      return { id: match[1], name: match[2] };
    });
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

/** Runs a remote docker command and fails the activity on a non-zero exit. */
export async function remoteDocker(session: SshSession, words: readonly string[]): Promise<string> {
  const result = await session.exec(words);
  if (result.code !== 0)
    throw new ActivityFailedError(
      `"${result.command}" exited with ${String(result.code)}: ${firstLine(result.stderr) || firstLine(result.stdout)}`,
    );
  return result.stdout;
}

/** The service's running containers. */
export async function listServiceContainers(
  session: SshSession,
  outputs: PlatformOutputs,
  service: ServiceName,
): Promise<ListedContainer[]> {
  return parseContainerList(await remoteDocker(session, listContainersCommand(outputs, service)));
}

/** Exactly one running container of the service, or an `ActivityFailedError` saying what was found. */
export async function theServiceContainer(session: SshSession, outputs: PlatformOutputs, service: ServiceName): Promise<ListedContainer> {
  const found = await listServiceContainers(session, outputs, service);
  const only = found[0];
  if (found.length === 1 && only !== undefined) return only;
  const filter = containerLabels(outputs, service).join(' and ');
  if (found.length === 0) throw new ActivityFailedError(`no running container of ${service} (labels ${filter}) on ${outputs.sshHost}`);
  throw new ActivityFailedError(
    `${found.length} running containers of ${service} match ${filter} (${found.map((c) => c.name).join(', ')}); expected exactly one, so none was touched`,
  );
}

/** Stops (or kills) the service's one container over SSH and records it for the probes. */
export async function signalServiceContainer(
  ctx: DriverContext,
  session: SshSession,
  service: ServiceName,
  fault: 'ssh:docker-stop' | 'ssh:docker-kill',
  verb: (id: string) => readonly string[],
): Promise<{ container: ListedContainer; startedAt: string; command: string }> {
  const container = await theServiceContainer(session, ctx.outputs, service);
  ctx.guard([{ kind: 'container', container: ctx.outputs.services[service].containerName }]);
  const startedAt = await containerStartedAt(session, container.id);
  const words = verb(container.id);
  ctx.log.info(`${words.slice(0, 2).join(' ')} ${container.name} (${container.id}) on ${ctx.outputs.sshHost}`);
  await remoteDocker(session, words);
  ctx.clients.faultRecord?.().stopped({ fault, service, unit: 'container', id: container.id, at: ctx.clock.now(), startedAt });
  return { container, startedAt, command: commandLine(words) };
}

/** When the container (last) started, by the host's clock. */
export async function containerStartedAt(session: SshSession, id: string): Promise<string> {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  const out = (await remoteDocker(session, ['docker', 'inspect', '--type', 'container', '--format', '{{.State.StartedAt}}', id])).trim();
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(out))
    throw new ActivityFailedError(`unexpected start time from docker inspect: ${JSON.stringify(out.slice(0, 100))}`);
  return out;
}

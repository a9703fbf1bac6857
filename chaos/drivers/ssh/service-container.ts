import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { DriverContext } from '../../faults/types';
import { commandLine, CONTAINER_ID } from '../../faults/command-words';
import type { HostCommands } from '../../faults/ports';

/** A container as `docker ps` lists it. */
export interface ListedContainer {
  readonly id: string;
  readonly name: string;
}

/** `docker ps` words listing the service's running containers. */
export function listContainersCommand(labels: readonly string[]): readonly string[] {
  return ['docker', 'ps', ...labels.flatMap((label) => ['--filter', `label=${label}`]), '--format', '{{.ID}} {{.Names}}'];
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
export async function remoteDocker(session: HostCommands, words: readonly string[]): Promise<string> {
  const result = await session.exec(words);
  if (result.code !== 0)
    throw new ActivityFailedError(
      `"${result.command}" exited with ${String(result.code)}: ${firstLine(result.stderr) || firstLine(result.stdout)}`,
    );
  return result.stdout;
}

/** The service's running containers. */
export async function listServiceContainers(session: HostCommands, labels: readonly string[]): Promise<ListedContainer[]> {
  return parseContainerList(await remoteDocker(session, listContainersCommand(labels)));
}

/** Exactly one running container of the service, or an `ActivityFailedError` saying what was found. */
export async function theServiceContainer(
  session: HostCommands,
  labels: readonly string[],
  service: ServiceName,
  host: string,
): Promise<ListedContainer> {
  const found = await listServiceContainers(session, labels);
  const only = found[0];
  if (found.length === 1 && only !== undefined) return only;
  const filter = labels.join(' and ');
  if (found.length === 0) throw new ActivityFailedError(`no running container of ${service} (labels ${filter}) on ${host}`);
  throw new ActivityFailedError(
    `${found.length} running containers of ${service} match ${filter} (${found.map((c) => c.name).join(', ')}); expected exactly one, so none was touched`,
  );
}

/** Stops (or kills) the service's one container on the host and records it for the probes. */
export async function signalServiceContainer(
  ctx: DriverContext,
  session: HostCommands,
  service: ServiceName,
  fault: 'ssh:docker-stop' | 'ssh:docker-kill',
  verb: (id: string) => readonly string[],
): Promise<{ container: ListedContainer; startedAt: string; command: string }> {
  const container = await theServiceContainer(session, ctx.use('orchestrator').containerLabels(service), service, ctx.use('host').where);
  ctx.guard([{ kind: 'container', container: ctx.outputs.services[service].containerName }]);
  const startedAt = await containerStartedAt(session, container.id);
  const words = verb(container.id);
  ctx.log.info(`${words.slice(0, 2).join(' ')} ${container.name} (${container.id}) on ${ctx.use('host').where}`);
  await remoteDocker(session, words);
  ctx.record.stopped({ fault, service, unit: 'container', id: container.id, at: ctx.clock.now(), startedAt });
  return { container, startedAt, command: commandLine(words) };
}

/** When the container (last) started, by the host's clock. */
export async function containerStartedAt(session: HostCommands, id: string): Promise<string> {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  const out = (await remoteDocker(session, ['docker', 'inspect', '--type', 'container', '--format', '{{.State.StartedAt}}', id])).trim();
  if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(out))
    throw new ActivityFailedError(`unexpected start time from docker inspect: ${JSON.stringify(out.slice(0, 100))}`);
  return out;
}

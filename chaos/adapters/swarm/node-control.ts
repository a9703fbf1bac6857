import { z } from 'zod';
import type { JsonObject } from '../../../contract/json';
import type { LocalOutputs } from '../../../contract/outputs';
import { ActivityFailedError } from '../../errors';
import { safeName } from '../../faults/command-words';
import type { FleetNode, HostAccess, HostAccessOptions, NodeFleet, NodeTask, ZoneLinks } from '../../faults/ports';
import type { DockerCli } from './docker-cli';
import { docker, lines, parseJsonLine } from './swarm-state';

/**
 * The multi-node rehearsal's fleet: `node-control` (the outputs' `nodeControl` words) run on the
 * host over the host port, as the runtime restart is, and the swarm manager (the engine the
 * outputs name) for draining. Every subcommand prints one JSON object on stdout and exits 0 (done)
 * or 1 (failed; the object may say why); 2 is a usage error. What it prints is checked here.
 */

/** Swarm node ids: 25 lower-case letters and digits. */
export const SWARM_NODE_ID = /^[a-z0-9]{25}$/;

const statusSchema = z.looseObject({
  nodes: z.array(
    z.looseObject({
      name: z.string(),
      zone: z.string(),
      address: z.string(),
      engine: z.enum(['running', 'gone']),
      swarmNodeId: z.string().nullable(),
      swarmState: z.string(),
      availability: z.string(),
      link: z.enum(['up', 'down']),
      replacements: z.number().int().min(0),
      /** The stand-in load balancer's target health; absent from a node-control that predates it. */
      loadBalancer: z.enum(['in-service', 'out-of-service', 'unknown']).optional(),
    }),
  ),
});

const terminateSchema = z.looseObject({
  node: z.string(),
  killedPids: z.array(z.number().int()),
  at: z.string(),
});

const zoneSchema = z.looseObject({
  zone: z.string(),
  nodes: z.array(z.string()),
  links: z.array(z.looseObject({ name: z.string(), state: z.string() })),
});

/** The one JSON object node-control printed (its last non-blank line when something came before it). */
export function parseNodeControl<T>(schema: z.ZodType<T>, stdout: string, what: string): T {
  const text = stdout.trim();
  const candidates = [
    text,
    text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .pop() ?? '',
  ];
  for (const candidate of candidates) {
    let value: unknown;
    try {
      value = JSON.parse(candidate);
    } catch {
      continue;
    }
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    throw new ActivityFailedError(
      `${what} printed JSON of an unexpected shape (${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}): ${candidate.slice(0, 200)}`,
    );
  }
  throw new ActivityFailedError(`${what} printed no JSON object: ${JSON.stringify(text.slice(0, 200))}`);
}

/** `docker node ps --format '{{json .}}'` lines. */
const nodeTaskLine = z.looseObject({ ID: z.string(), Name: z.string(), DesiredState: z.string(), CurrentState: z.string() });

export function parseNodeTasks(stdout: string): NodeTask[] {
  return lines(stdout).map((line) => {
    const parsed = nodeTaskLine.safeParse(parseJsonLine(line, 'docker node ps'));
    if (!parsed.success) throw new ActivityFailedError(`unexpected line from docker node ps: ${JSON.stringify(line.slice(0, 200))}`);
    const t = parsed.data;
    return { id: t.ID, name: t.Name.replace(/^\\_\s*/, ''), desiredState: t.DesiredState, currentState: t.CurrentState };
  });
}

/** The node-control fleet of multi-node local outputs; null for the single-node rehearsal. */
export function nodeControlFleet(outputs: LocalOutputs, host: HostAccess, cli: () => DockerCli): NodeFleet | null {
  const { nodes, nodeControl } = outputs;
  if (nodes === undefined || nodeControl === undefined) return null;
  const words: NodeFleet['words'] = (subcommand, argument) => [
    ...nodeControl,
    subcommand,
    ...(argument === undefined ? [] : [safeName(argument, `node-control ${subcommand} argument`)]),
  ];
  const run = async <T>(
    options: HostAccessOptions,
    signal: AbortSignal,
    schema: z.ZodType<T>,
    subcommand: Parameters<NodeFleet['words']>[0],
    argument?: string,
  ): Promise<T> => {
    const command = words(subcommand, argument);
    const result = await host.withSession(options, signal, (session) => session.exec(command));
    const what = `node-control ${subcommand}${argument === undefined ? '' : ` ${argument}`} on ${host.where}`;
    if (result.code !== 0)
      throw new ActivityFailedError(
        `${what} exited with ${String(result.code)}: ${(result.stderr.trim() || result.stdout.trim()).split('\n').slice(-2).join(' ').slice(0, 300)}`,
      );
    return parseNodeControl(schema, result.stdout, what);
  };
  const checkedId = (id: string): string => {
    if (!SWARM_NODE_ID.test(id))
      throw new ActivityFailedError(`refused swarm node id ${JSON.stringify(id)}: expected 25 letters and digits`);
    return id;
  };
  return {
    name: 'node-control',
    nodes,
    words,
    async status(options, signal): Promise<readonly FleetNode[]> {
      return (await run(options, signal, statusSchema, 'status')).nodes;
    },
    async terminate(options, signal, node): Promise<JsonObject> {
      const out = await run(options, signal, terminateSchema, 'terminate', node);
      if (out.node !== node) throw new ActivityFailedError(`node-control terminate ${node} reported node ${out.node}`);
      return { node: out.node, killedPids: out.killedPids, at: out.at };
    },
    async zoneLinks(options, signal, zone, to): Promise<ZoneLinks> {
      const out = await run(options, signal, zoneSchema, to === 'cut' ? 'cut-zone' : 'restore-zone', zone);
      return { zone: out.zone, nodes: out.nodes, links: out.links.map((l) => ({ name: l.name, state: l.state })) };
    },
    async setAvailability(signal, swarmNodeId, availability): Promise<void> {
      await docker(cli(), ['node', 'update', '--availability', availability, checkedId(swarmNodeId)], signal);
    },
    async nodeTasks(signal, swarmNodeId): Promise<readonly NodeTask[]> {
      return parseNodeTasks(
        await docker(
          cli(),
          ['node', 'ps', '--no-trunc', '--filter', 'desired-state=running', '--format', '{{json .}}', checkedId(swarmNodeId)],
          signal,
        ),
      );
    },
  };
}

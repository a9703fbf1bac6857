import { z } from 'zod';
import type { JsonObject, JsonValue } from '../../../contract/json';
import { ActivityFailedError } from '../../errors';
import type { HostAccessOptions, NodeTask } from '../../faults/ports';
import type { DriverContext } from '../../faults/types';
import { chooseNode, fleetStatus } from '../ec2/fleet-nodes';

/**
 * `ecs:drain-instance` on the multi-node rehearsal: the node's availability set to `drain` through
 * the swarm manager (`docker node update`), as ECS sets a container instance DRAINING: the swarm
 * stops the node's tasks and places none there. Evidence: the tasks meant to run on the node
 * before the drain, and how long until none was left; then `active` again.
 */

export type DrainArgs = { readonly instance?: string | undefined; readonly revertAfterSeconds?: number | undefined } & HostAccessOptions;

/** How long the revert may take when the run is being interrupted (drain-instance.ts's too, on AWS). */
export const REVERT_TIMEOUT_MS = 30_000;
/** How long to watch the node's tasks go after the drain, at most (bounded by revertAfterSeconds). */
const EMPTY_WATCH_MS = 60_000;
const EMPTY_POLL_MS = 500;

const drainedNode = z.looseObject({ node: z.string(), swarmNodeId: z.string().min(1) });

const taskView = (t: NodeTask): JsonObject => ({ id: t.id, name: t.name, currentState: t.currentState });

/** Polls the node's tasks until none is meant to run there, or `untilMs`. */
async function waitEmpty(
  ctx: DriverContext,
  swarmNodeId: string,
  untilMs: number,
): Promise<{ tasks: readonly NodeTask[]; emptyAfterMs: number | null }> {
  const started = ctx.clock.now();
  for (;;) {
    const tasks = await ctx.use('nodes').nodeTasks(ctx.signal, swarmNodeId);
    if (tasks.length === 0) return { tasks, emptyAfterMs: ctx.clock.now() - started };
    if (ctx.clock.now() >= untilMs) return { tasks, emptyAfterMs: null };
    await ctx.clock.sleep(EMPTY_POLL_MS, ctx.signal);
  }
}

export async function drainNode(ctx: DriverContext, a: DrainArgs): Promise<JsonObject> {
  const fleet = ctx.use('nodes');
  const node = chooseNode(ctx, await fleetStatus(ctx, a), a.instance, 'drain');
  const id = node.swarmNodeId;
  if (id === null) throw new ActivityFailedError(`node ${node.name} has no swarm node id in node-control status`);
  const before = await fleet.nodeTasks(ctx.signal, id);
  const drainedAt = ctx.clock.now();
  await fleet.setAvailability(ctx.signal, id, 'drain');
  ctx.log.info(`drained node ${node.name} (${node.zone}, swarm node ${id}): ${before.length} task(s) on it`);
  const activate = (signal: AbortSignal): Promise<void> => fleet.setAvailability(signal, id, 'active');
  const revertAt = a.revertAfterSeconds === undefined ? null : drainedAt + a.revertAfterSeconds * 1000;
  let after: { tasks: readonly NodeTask[]; emptyAfterMs: number | null };
  try {
    after = await waitEmpty(ctx, id, Math.min(drainedAt + EMPTY_WATCH_MS, revertAt ?? Number.POSITIVE_INFINITY));
    if (revertAt !== null) await ctx.clock.sleep(Math.max(0, revertAt - ctx.clock.now()), ctx.signal);
  } catch (error) {
    // An interrupted action registers no rollback: undo the drain here, then let the interruption through.
    await activate(AbortSignal.timeout(REVERT_TIMEOUT_MS));
    throw error;
  }
  const result: JsonObject = {
    node: node.name,
    zone: node.zone,
    swarmNodeId: id,
    tasksBefore: before.map(taskView),
    tasksAfter: after.tasks.map(taskView),
    emptyAfterMs: after.emptyAfterMs,
    drainedAt: new Date(drainedAt).toISOString(),
  };
  if (revertAt === null) return { ...result, availability: 'drain' };
  await activate(ctx.signal);
  ctx.log.info(`node ${node.name} active again after ${a.revertAfterSeconds ?? 0}s`);
  return { ...result, availability: 'active', drainedForSeconds: a.revertAfterSeconds ?? 0 };
}

/**
 * Sets the drained node active again: the one the run recorded, or, when the run was killed
 * before it recorded anything (`chaos rollback` of an in-flight drain), every node the status
 * reports drained (the workers only: the manager is not a node of node-control).
 */
export async function rollbackNodeDrain(ctx: DriverContext, a: DrainArgs, runResult: JsonValue): Promise<JsonObject> {
  const fleet = ctx.use('nodes');
  const parsed = drainedNode.safeParse(runResult);
  const targets = parsed.success
    ? [{ name: parsed.data.node, swarmNodeId: parsed.data.swarmNodeId }]
    : (await fleetStatus(ctx, a))
        .filter((n) => n.availability === 'drain' && n.swarmNodeId !== null)
        .map((n) => ({ name: n.name, swarmNodeId: n.swarmNodeId as string }));
  ctx.guard(targets.map((t) => ({ kind: 'node', node: t.name })));
  for (const t of targets) await fleet.setAvailability(ctx.signal, t.swarmNodeId, 'active');
  return { nodes: targets.map((t) => ({ node: t.name, swarmNodeId: t.swarmNodeId })), availability: 'active' };
}

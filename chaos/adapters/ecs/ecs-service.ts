import type { ECSClient } from '@aws-sdk/client-ecs';
import { DescribeServicesCommand, ListContainerInstancesCommand, ListTasksCommand, type Service } from '@aws-sdk/client-ecs';
import type { ServiceName } from '../../../contract/services';
import { ActivityFailedError } from '../../errors';
import type { DriverContext } from '../../faults/types';

/** What the ECS adapters share: the one service the outputs name, looked up in the cluster. */

/** The one ECS service named in the outputs, or `ActivityFailedError` when ECS does not know it. */
export async function describeService(ecs: ECSClient, ctx: DriverContext, service: ServiceName): Promise<Service> {
  const serviceName = ctx.outputs.services[service].serviceName;
  const out = await ecs.send(new DescribeServicesCommand({ cluster: ctx.outputs.clusterName, services: [serviceName] }), {
    abortSignal: ctx.signal,
  });
  const found = out.services?.find((s) => s.serviceName === serviceName);
  if (found === undefined) {
    const failure = out.failures?.[0];
    throw new ActivityFailedError(
      `ECS service ${serviceName} not found in cluster ${ctx.outputs.clusterName}${failure ? ` (${failure.reason ?? 'failure'})` : ''}`,
    );
  }
  return found;
}

/** ISO time of an SDK date, or null. */
export function iso(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

/** A guard against an endpoint that never stops paging; a cluster this platform runs has a handful. */
const MAX_PAGES = 100;

/** Every page of a list call: ECS answers at most 100 ARNs a page and says where the next one starts. */
async function allPages(list: (nextToken: string | undefined) => Promise<{ arns?: string[]; nextToken?: string }>): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const answer = await list(nextToken);
    arns.push(...(answer.arns ?? []));
    nextToken = answer.nextToken;
    if (nextToken === undefined || nextToken === '') return arns;
  }
  throw new ActivityFailedError(`ECS kept answering further pages after ${MAX_PAGES}; refused to go on`);
}

/** The ARNs of the service's RUNNING tasks, every page. */
export function listRunningTasks(ecs: ECSClient, cluster: string, serviceName: string, signal: AbortSignal): Promise<string[]> {
  return allPages(async (nextToken) => {
    const out = await ecs.send(
      new ListTasksCommand({ cluster, serviceName, desiredStatus: 'RUNNING', ...(nextToken === undefined ? {} : { nextToken }) }),
      { abortSignal: signal },
    );
    return {
      ...(out.taskArns === undefined ? {} : { arns: out.taskArns }),
      ...(out.nextToken === undefined ? {} : { nextToken: out.nextToken }),
    };
  });
}

/** The ARNs of the cluster's ACTIVE container instances, every page. */
export function listActiveContainerInstances(ecs: ECSClient, cluster: string, signal: AbortSignal): Promise<string[]> {
  return allPages(async (nextToken) => {
    const out = await ecs.send(
      new ListContainerInstancesCommand({ cluster, status: 'ACTIVE', ...(nextToken === undefined ? {} : { nextToken }) }),
      { abortSignal: signal },
    );
    return {
      ...(out.containerInstanceArns === undefined ? {} : { arns: out.containerInstanceArns }),
      ...(out.nextToken === undefined ? {} : { nextToken: out.nextToken }),
    };
  });
}

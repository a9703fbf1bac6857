import type { DescribeServicesCommandOutput, DescribeTasksCommandOutput, Service, Task } from '@aws-sdk/client-ecs';

/**
 * Responses in the shape ECS returns them (trimmed recordings of DescribeServices / ListTasks /
 * DescribeTasks for a one-task EC2 service), for aws-sdk-client-mock.
 */
export const ACCOUNT = '123456789012';
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/platform-test`;
export const taskArn = (id: string): string => `arn:aws:ecs:us-east-1:${ACCOUNT}:task/platform-test/${id}`;
export const OLD_TASK = taskArn('0b69d5c0d0d44f1f8e0b5f1f0d1e2a3b');
export const NEW_TASK = taskArn('7c2e9a1b3d4f4e5a8b6c7d8e9f0a1b2c');
export const CONTAINER_INSTANCE = `arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/platform-test/5d2c9f1e0b7a4c3d9e8f7a6b5c4d3e2f`;
const metadata = { httpStatusCode: 200, requestId: 'c0ffee00-0000-4000-8000-000000000000', attempts: 1, totalRetryDelay: 0 };

export function service(
  counts: { desired: number; running: number; pending: number },
  events: Service['events'] = [],
): DescribeServicesCommandOutput {
  return {
    $metadata: metadata,
    failures: [],
    services: [
      {
        serviceArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/platform-test/platform-test-api`,
        serviceName: 'platform-test-api',
        clusterArn: CLUSTER_ARN,
        status: 'ACTIVE',
        desiredCount: counts.desired,
        runningCount: counts.running,
        pendingCount: counts.pending,
        launchType: 'EC2',
        taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/platform-test-api:7`,
        deployments: [
          {
            id: 'ecs-svc/4751203967812345678',
            status: 'PRIMARY',
            taskDefinition: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/platform-test-api:7`,
            desiredCount: counts.desired,
            pendingCount: counts.pending,
            runningCount: counts.running,
            rolloutState: 'COMPLETED',
          },
        ],
        events,
      },
    ],
  };
}

export const MISSING_SERVICE: DescribeServicesCommandOutput = {
  $metadata: metadata,
  services: [],
  failures: [{ arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/platform-test/platform-test-api`, reason: 'MISSING' }],
};

export function task(arn: string, lastStatus: 'RUNNING' | 'PENDING' | 'DEACTIVATING' | 'STOPPING' | 'STOPPED'): Task {
  const stopped = lastStatus === 'STOPPED';
  return {
    taskArn: arn,
    clusterArn: CLUSTER_ARN,
    containerInstanceArn: CONTAINER_INSTANCE,
    group: 'service:platform-test-api',
    launchType: 'EC2',
    lastStatus,
    desiredStatus: stopped || lastStatus === 'STOPPING' || lastStatus === 'DEACTIVATING' ? 'STOPPED' : 'RUNNING',
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/platform-test-api:7`,
    containers: [{ name: 'api', lastStatus, ...(stopped ? { exitCode: 0 } : {}) }],
    ...(stopped
      ? {
          stopCode: 'UserInitiated',
          stoppedReason: 'chaos experiment',
          stoppedAt: new Date('2026-05-02T10:00:05Z'),
          stoppingAt: new Date('2026-05-02T10:00:00Z'),
        }
      : {}),
  };
}

export function tasks(...list: Task[]): DescribeTasksCommandOutput {
  return { $metadata: metadata, failures: [], tasks: list };
}

/**
 * AWS calls stop when the activity's signal aborts: the real SDK clients (no mock), aimed at a
 * loopback server that accepts each request and never answers, as a stalled endpoint would.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { ec2RebootInstance } from '../../../chaos/drivers/ec2/reboot-instance';
import { ecsStopTask } from '../../../chaos/drivers/ecs/stop-task';
import type { Fault } from '../../../chaos/faults/types';
import { until } from '../helpers/processes';
import { contextFor, runFault } from './support/context';
import { awsOutputs } from './support/outputs';

/** Far above the abort below: a call that ends before it was stopped, not answered. */
const NEVER_MS = 30_000;

describe('AWS SDK calls against an endpoint that never answers', () => {
  let server: Server;
  let endpoint: string;
  const open = new Set<IncomingMessage>();
  let received = 0;
  beforeAll(async () => {
    server = createServer((req) => {
      received += 1;
      open.add(req);
      req.socket.on('close', () => open.delete(req));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    endpoint = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const config = () => ({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });

  it.each<[string, Fault, object]>([
    ['ecs:stop-task (ECS ListTasks)', ecsStopTask, { service: 'api' }],
    ['ec2:reboot-instance (Auto Scaling DescribeAutoScalingGroups)', ec2RebootInstance, {}],
  ])('GIVEN %s WHEN its signal aborts THEN the request is dropped at once and not retried', async (_name, fault, args) => {
    received = 0;
    const clients = { ecs: () => new ECSClient(config()), autoScaling: () => new AutoScalingClient(config()) };
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out after 1s')), 1000);
    const started = Date.now();
    await expect(runFault(fault, args, contextFor(awsOutputs(), clients, controller.signal))).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(NEVER_MS);
    await until(() => open.size === 0, 2000, 'the endpoint sees the request closed');
    // The SDK does not retry an aborted call: one request reached the endpoint, and no more follow.
    await new Promise((r) => setTimeout(r, 500));
    expect(received).toBe(1);
  });
});

import { ecsDrainInstance } from '../../../chaos/drivers/ecs/drain-instance';
import { ecsScaleService } from '../../../chaos/drivers/ecs/scale-service';
import { ecsServiceEvents } from '../../../chaos/drivers/ecs/service-events';
import { ecsServiceStable } from '../../../chaos/drivers/ecs/service-stable';
import { ecsStopTask } from '../../../chaos/drivers/ecs/stop-task';
import { NEW_TASK, OLD_TASK } from './support/ecs-recorded';

describe('ecs fault arguments', () => {
  it.each<[string, { bind(a: unknown): { ok: boolean } }, unknown, boolean]>([
    ['stop-task: a service', ecsStopTask, { service: 'api' }, true],
    ['stop-task: a task ARN and a reason', ecsStopTask, { service: 'api', task: OLD_TASK, reason: 'game day' }, true],
    ['stop-task: a task id without ARN', ecsStopTask, { service: 'api', task: '0b69d5c0d0d44f1f8e0b5f1f0d1e2a3b' }, false],
    ['stop-task: a reason over 255 characters', ecsStopTask, { service: 'api', reason: 'x'.repeat(256) }, false],
    ['stop-task: a cluster (it comes from the outputs)', ecsStopTask, { service: 'api', cluster: 'other' }, false],
    ['service-stable: a stopped task', ecsServiceStable, { service: 'proxy', stoppedTask: NEW_TASK }, true],
    ['service-stable: a stopped task that is no ARN', ecsServiceStable, { service: 'proxy', stoppedTask: 'abc' }, false],
    ['service-events: a limit', ecsServiceEvents, { service: 'api', limit: 5 }, true],
    ['service-events: a limit of 0', ecsServiceEvents, { service: 'api', limit: 0 }, false],
    ['drain-instance: nothing', ecsDrainInstance, {}, true],
    ['drain-instance: a revert delay', ecsDrainInstance, { revertAfterSeconds: 30 }, true],
    ['drain-instance: a revert delay of 0', ecsDrainInstance, { revertAfterSeconds: 0 }, false],
    ['drain-instance: an instance id (found in the ASG instead)', ecsDrainInstance, { instanceId: 'i-0' }, false],
    ['scale-service: a count', ecsScaleService, { service: 'frontend', desiredCount: 0 }, true],
    ['scale-service: no count', ecsScaleService, { service: 'frontend' }, false],
    ['scale-service: a negative count', ecsScaleService, { service: 'frontend', desiredCount: -1 }, false],
  ])('%s', (_name, fault, args, valid) => {
    expect(fault.bind(args).ok).toBe(valid);
  });
});

import { asString } from '../json';
import { defineRule, finding, resources } from '../rule';

/**
 * The execution role is the ECS agent's (pull images, write logs); the task role is the application's.
 * One role for both hands the application the agent's permissions.
 */
export const executionRoleNotTaskRole = defineRule({
  id: 'execution-role-not-task-role',
  title: 'Task definitions keep the execution role and the task role apart',
  severity: 'error',
  checkov: ['CKV_AWS_249'],
  trivy: [],
  description:
    'No aws_ecs_task_definition uses the same role ARN as execution_role_arn and task_role_arn. A task that calls no AWS API has no task role.',
  remedy: 'give the task its own role with only what the application calls (stacks/task-roles.ts), or none',
  subjects: resources('aws_ecs_task_definition'),
  check(subject) {
    const execution = asString(subject.attributes.execution_role_arn);
    const task = asString(subject.attributes.task_role_arn);
    return execution !== undefined && execution === task ? [finding(subject, `execution_role_arn and task_role_arn are both ${task}`)] : [];
  },
});

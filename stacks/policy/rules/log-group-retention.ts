import { asNumber } from '../json';
import { defineRule, finding, resources } from '../rule';

/** CloudWatch keeps log events forever by default, and bills for every byte of them. */
export const logGroupRetention = defineRule({
  id: 'log-group-retention',
  title: 'Log groups have a retention period',
  severity: 'error',
  checkov: ['CKV_AWS_66'],
  trivy: [],
  description: 'Every aws_cloudwatch_log_group sets retention_in_days to a positive period (0 or unset means never expire).',
  remedy: 'set the environment\'s "logRetentionDays" (config/environments.json); stacks/logs.ts applies it',
  subjects: resources('aws_cloudwatch_log_group'),
  check(subject) {
    const days = asNumber(subject.attributes.retention_in_days);
    return days !== undefined && days > 0 ? [] : [finding(subject, `retention_in_days is ${days ?? 'unset'}: events are kept forever`)];
  },
});

import { asString, blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** Per-task CPU, memory and restart metrics: what a fault did to the services, and what they need. */
export const containerInsightsEnabled = defineRule({
  id: 'container-insights-enabled',
  title: 'ECS clusters have Container Insights on',
  severity: 'error',
  checkov: ['CKV_AWS_65'],
  trivy: ['AVD-AWS-0034'],
  description: 'Every aws_ecs_cluster has the setting containerInsights = "enabled" (or "enhanced").',
  remedy: 'add setting { name: "containerInsights", value: "enabled" } to the cluster (stacks/cluster.ts)',
  subjects: resources('aws_ecs_cluster'),
  check(subject) {
    const on = blocks(subject.attributes.setting).some(
      (s) => asString(s.name) === 'containerInsights' && ['enabled', 'enhanced'].includes(asString(s.value) ?? ''),
    );
    return on ? [] : [finding(subject, 'the containerInsights setting is not enabled')];
  },
});

import { blocks } from '../json';
import { defineRule, finding, resources } from '../rule';

/** Launch templates are versioned (a new version rolls the group); launch configurations are immutable and get no new EC2 features. */
export const autoscalingUsesLaunchTemplate = defineRule({
  id: 'autoscaling-uses-launch-template',
  title: 'Auto Scaling groups launch from a launch template',
  severity: 'error',
  checkov: ['CKV_AWS_315'],
  trivy: [],
  description: 'Every aws_autoscaling_group has a launch_template block (or a mixed_instances_policy), not a launch_configuration.',
  remedy: 'launch the group from a LaunchTemplate (stacks/cluster.ts)',
  subjects: resources('aws_autoscaling_group'),
  check(subject) {
    const a = subject.attributes;
    if (blocks(a.launch_template).length > 0 || blocks(a.mixed_instances_policy).length > 0) return [];
    return [
      finding(
        subject,
        a.launch_configuration !== undefined ? 'the group uses a launch configuration' : 'the group names no launch template',
      ),
    ];
  },
});

/** What the instance's boot script needs to know. Values may be Terraform tokens. */
export interface UserDataProps {
  readonly region: string;
  readonly clusterName: string;
  readonly eipAllocationId: string;
  /** Seconds the ECS agent waits between SIGTERM and SIGKILL when it stops a container. */
  readonly containerStopTimeoutSeconds: number;
}

/**
 * The instance's boot script (cloud-init runs it as root before the ECS agent starts).
 *
 * Written without "${", "%{" and double quotes, so that Terraform's string templates (the JSON and
 * the HCL synth) leave it alone: shell variables are referenced as $NAME, nothing needs quoting.
 */
export function userData(props: UserDataProps): string {
  return [
    '#!/bin/bash',
    'set -euo pipefail',
    '',
    '# ECS agent: join the cluster; settings that shorten recovery after a fault.',
    'cat >> /etc/ecs/ecs.config <<EOF',
    `ECS_CLUSTER=${props.clusterName}`,
    // A restarted task reuses the image already on the host instead of waiting for ECR.
    'ECS_IMAGE_PULL_BEHAVIOR=prefer-cached',
    // The images stop within a second of SIGTERM; 30 s (the agent default) only delays a stuck one.
    `ECS_CONTAINER_STOP_TIMEOUT=${props.containerStopTimeoutSeconds}s`,
    // Task roles (the proxy's file system access) work in host network mode only with this.
    'ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=true',
    'ECS_ENABLE_CONTAINER_METADATA=true',
    'ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=15m',
    'EOF',
    '',
    '# Containers share the host network: keep non-root processes away from the instance role.',
    'iptables -I OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner 0 -j DROP',
    '',
    '# Take over the Elastic IP so the platform keeps its address when the group replaces the instance.',
    'TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds:300)',
    'INSTANCE_ID=$(curl -sf -H X-aws-ec2-metadata-token:$TOKEN http://169.254.169.254/latest/meta-data/instance-id)',
    'for attempt in 1 2 3 4 5; do',
    `  if aws ec2 associate-address --region ${props.region} --allocation-id ${props.eipAllocationId} --instance-id $INSTANCE_ID --allow-reassociation; then break; fi`,
    '  sleep $((attempt * 5))',
    'done',
    '',
  ].join('\n');
}

/** What the instance's boot script needs to know. Values may be Terraform tokens. */
export interface UserDataProps {
  readonly region: string;
  readonly clusterName: string;
  /** The Elastic IP the instance takes over at boot (one instance). @default none (a fleet behind the load balancer) */
  readonly eipAllocationId?: string;
  /** Seconds the ECS agent waits between SIGTERM and SIGKILL when it stops a container. */
  readonly containerStopTimeoutSeconds: number;
}

/** The systemd unit that re-applies the metadata block at every boot (iptables rules do not survive one). */
export const IMDS_BLOCK_UNIT = 'imds-root-only.service';
/** The script the unit runs; the user data writes it. */
export const IMDS_BLOCK_SCRIPT = '/usr/local/sbin/imds-root-only';
/**
 * Drops packets to the instance metadata service from every process not running as root. The ECS
 * agent (a root container in the host's network namespace), ecs-init, the SSM agent and this boot
 * script run as uid 0 and keep it; a host-mode container running as another user loses it. Task
 * role credentials come from the agent's endpoint (169.254.170.2), which the rule leaves alone.
 */
const IMDS_RULE = 'OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner 0 -j DROP';

/**
 * User data runs once per instance, and a reboot empties iptables. So the block is a script run by a
 * systemd unit at every boot, ordered before Docker and the ECS agent (no container starts before it
 * holds); the user data installs both and starts the unit, which applies the rule on the first boot
 * too. The script checks before it inserts, so running it again (each boot, a restart) adds no copy;
 * -w waits for the xtables lock instead of failing while another tool edits the rules.
 */
function imdsBlock(): string[] {
  return [
    '# Containers share the host network: keep non-root processes away from the instance role, at every boot.',
    `cat > ${IMDS_BLOCK_SCRIPT} <<'SCRIPT'`,
    '#!/bin/bash',
    'set -euo pipefail',
    `iptables -w -C ${IMDS_RULE} 2>/dev/null || iptables -w -I ${IMDS_RULE}`,
    'SCRIPT',
    `chmod 755 ${IMDS_BLOCK_SCRIPT}`,
    `cat > /etc/systemd/system/${IMDS_BLOCK_UNIT} <<'UNIT'`,
    '[Unit]',
    'Description=Block the instance metadata service for non-root processes',
    'Before=docker.service ecs.service',
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${IMDS_BLOCK_SCRIPT}`,
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    'UNIT',
    'systemctl daemon-reload',
    `systemctl enable --now ${IMDS_BLOCK_UNIT}`,
  ];
}

/** What the host: chaos faults run on the instance (chaos/drivers/host): nsenter and setsid, pgrep, pkill and ps. */
export const CHAOS_HOST_PACKAGES = ['util-linux', 'procps-ng'] as const;

/**
 * The tools of the host: faults, from the distribution's repositories (coreutils-single already
 * holds timeout, head and tail). Last, and never fatal: the instance serves without them, and each
 * fault refuses with one line naming what is missing.
 */
function chaosTools(): string[] {
  return [
    '# Tools the chaos host faults use (nsenter, setsid, pgrep, pkill): present on most AMIs, installed if not.',
    `dnf install -y ${CHAOS_HOST_PACKAGES.join(' ')} || echo chaos host tools not installed: the host faults will name what is missing`,
  ];
}

/** Takes over the Elastic IP, so the platform keeps its address when the group replaces the one instance. */
function elasticIpTakeover(region: string, allocationId: string): string[] {
  return [
    '# Take over the Elastic IP so the platform keeps its address when the group replaces the instance.',
    'TOKEN=$(curl -sf -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds:300)',
    'INSTANCE_ID=$(curl -sf -H X-aws-ec2-metadata-token:$TOKEN http://169.254.169.254/latest/meta-data/instance-id)',
    'for attempt in 1 2 3 4 5; do',
    `  if aws ec2 associate-address --region ${region} --allocation-id ${allocationId} --instance-id $INSTANCE_ID --allow-reassociation; then break; fi`,
    '  sleep $((attempt * 5))',
    'done',
    '',
  ];
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
    ...imdsBlock(),
    '',
    ...(props.eipAllocationId === undefined ? [] : elasticIpTakeover(props.region, props.eipAllocationId)),
    ...chaosTools(),
    '',
  ].join('\n');
}

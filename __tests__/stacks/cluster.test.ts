import { EcsCluster } from '@cdktf/provider-aws/lib/ecs-cluster';
import { EcsCapacityProvider } from '@cdktf/provider-aws/lib/ecs-capacity-provider';
import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { EcsClusterCapacityProviders } from '@cdktf/provider-aws/lib/ecs-cluster-capacity-providers';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ECS_AMI_PARAMETER } from '../../stacks/cluster';
import { IMDS_BLOCK_SCRIPT, IMDS_BLOCK_UNIT, userData } from '../../stacks/user-data';
import { TerraformJson, resourcesOf, synthPlatform } from './support';

/** The boot script as synthesized: the launch template's `${base64encode("...")}`, its HCL string unescaped. */
function synthesizedUserData(tf: TerraformJson): string {
  const [template] = resourcesOf(tf, 'aws_launch_template');
  const inner = /^\$\{base64encode\((".*")\)\}$/s.exec(String(template.user_data));
  if (!inner) throw new Error(`user_data is not a base64encode of a string: ${String(template.user_data).slice(0, 80)}`);
  // HCL's string escapes (\n, \", \\) are JSON's.
  return String(JSON.parse(inner[1]));
}

/** The files the script writes with `cat > PATH <<'END' ... END`, by path, and where each ends in the script. */
function writtenFiles(script: string): Map<string, { content: string; end: number }> {
  const files = new Map<string, { content: string; end: number }>();
  for (const m of script.matchAll(/^cat > (\S+) <<'(\w+)'\n([\s\S]*?)\n\2$/gm)) {
    files.set(m[1], { content: m[3], end: (m.index ?? 0) + m[0].length });
  }
  return files;
}

describe('Cluster', () => {
  const { json, tf } = synthPlatform({ instanceType: 't3.medium', rootVolumeGiB: 40, sshKeyName: 'ops' });

  it('enables Container Insights', () => {
    expect(json).toHaveResourceWithProperties(EcsCluster, {
      name: 'platform-test',
      setting: [{ name: 'containerInsights', value: 'enabled' }],
    });
  });

  it('launches the ECS-optimized AL2023 AMI through SSM, with IMDSv2 required and hop limit 1', () => {
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      image_id: ECS_AMI_PARAMETER,
      instance_type: 't3.medium',
      key_name: 'ops',
      metadata_options: {
        http_endpoint: 'enabled',
        http_tokens: 'required',
        http_put_response_hop_limit: 1,
        instance_metadata_tags: 'disabled',
      },
    });
    expect(tf.data?.aws_ami).toBeUndefined();
  });

  it('encrypts a gp3 root volume of the configured size', () => {
    expect(json).toHaveResourceWithProperties(LaunchTemplate, {
      block_device_mappings: [
        { device_name: '/dev/xvda', ebs: { volume_size: 40, volume_type: 'gp3', encrypted: 'true', delete_on_termination: 'true' } },
      ],
    });
  });

  it('keeps exactly one instance across both subnets', () => {
    expect(json).toHaveResourceWithProperties(AutoscalingGroup, {
      min_size: 1,
      max_size: 1,
      desired_capacity: 1,
      health_check_type: 'EC2',
    });
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group.vpc_zone_identifier).toHaveLength(2);
  });

  it('ties the group to the cluster with termination protection off (destroy would hang) and draining on', () => {
    expect(json).toHaveResourceWithProperties(EcsCapacityProvider, {
      auto_scaling_group_provider: expect.objectContaining({
        managed_termination_protection: 'DISABLED',
        managed_draining: 'ENABLED',
        managed_scaling: { status: 'DISABLED' },
      }),
    });
    expect(json).toHaveResource(EcsClusterCapacityProviders);
  });

  it('boots with a script that joins the cluster, shortens recovery and takes the Elastic IP', () => {
    const [template] = resourcesOf(tf, 'aws_launch_template');
    expect(String(template.user_data)).toMatch(/^\$\{base64encode\(/);
    const script = userData({ region: 'eu-west-1', clusterName: 'c', eipAllocationId: 'eipalloc-1', containerStopTimeoutSeconds: 15 });
    expect(script).toContain('ECS_CLUSTER=c');
    expect(script).toContain('ECS_IMAGE_PULL_BEHAVIOR=prefer-cached');
    expect(script).toContain('ECS_CONTAINER_STOP_TIMEOUT=15s');
    expect(script).toMatch(
      /aws ec2 associate-address --region eu-west-1 --allocation-id eipalloc-1 --instance-id \$INSTANCE_ID --allow-reassociation/,
    );
    // The host faults' tools, after everything the instance needs to serve, and never fatal.
    const install = script.split('\n').find((line) => line.startsWith('dnf install -y '));
    expect(install).toBe(
      'dnf install -y util-linux procps-ng || echo chaos host tools not installed: the host faults will name what is missing',
    );
    expect(script.indexOf(install ?? '')).toBeGreaterThan(script.indexOf('associate-address'));
    // Terraform template syntax and double quotes would be rewritten by synth (see user-data.ts).
    expect(script).not.toMatch(/\$\{|%\{|"/);
  });

  describe('the metadata block for non-root processes', () => {
    const script = synthesizedUserData(tf);
    const files = writtenFiles(script);
    const unit = files.get(`/etc/systemd/system/${IMDS_BLOCK_UNIT}`);
    const blockScript = files.get(IMDS_BLOCK_SCRIPT);
    const rule = 'OUTPUT -d 169.254.169.254/32 -m owner ! --uid-owner 0 -j DROP';

    it('is installed as a systemd unit that runs at every boot, before Docker and the ECS agent', () => {
      expect(unit?.content.split('\n')).toEqual(
        expect.arrayContaining([
          'Before=docker.service ecs.service',
          'Type=oneshot',
          'RemainAfterExit=yes',
          `ExecStart=${IMDS_BLOCK_SCRIPT}`,
          'WantedBy=multi-user.target',
        ]),
      );
      expect(script).toContain(`chmod 755 ${IMDS_BLOCK_SCRIPT}`);
    });

    it('is applied on the first boot too: the user data starts the unit once both files are written', () => {
      // The index of the newline before each command: at or after the end of the heredocs it follows.
      const reload = script.indexOf('\nsystemctl daemon-reload\n');
      const start = script.indexOf(`\nsystemctl enable --now ${IMDS_BLOCK_UNIT}\n`);
      expect(reload).toBeGreaterThanOrEqual(Math.max(unit?.end ?? Infinity, blockScript?.end ?? Infinity));
      expect(start).toBeGreaterThan(reload);
      // Only the installed script touches iptables: no rule outside it that a reboot would lose.
      const outside = script.replace(blockScript?.content ?? '', '');
      expect(outside).not.toMatch(/^\s*iptables/m);
    });

    it('adds the rule once however often it runs, exempting only root (the ECS agent)', () => {
      // A stand-in iptables keeping OUTPUT's rules in a file: -C succeeds when the rule is there.
      const dir = mkdtempSync(join(tmpdir(), 'imds-block-'));
      const rules = join(dir, 'rules');
      writeFileSync(rules, '');
      const fake = join(dir, 'iptables');
      writeFileSync(
        fake,
        [
          '#!/bin/bash',
          '[ "$1" = -w ] || { echo without -w >&2; exit 3; }',
          'op=$2; shift 2',
          'case $op in -C) grep -qxF -- "$*" "$RULES" ;; -I) echo "$*" >> "$RULES" ;; *) exit 2 ;; esac',
          '',
        ].join('\n'),
      );
      chmodSync(fake, 0o755);
      const installed = join(dir, 'imds-root-only');
      writeFileSync(installed, blockScript?.content ?? 'exit 1');
      const env = { ...process.env, PATH: `${dir}${delimiter}${process.env.PATH ?? ''}`, RULES: rules };
      for (let boot = 0; boot < 3; boot++) execFileSync('bash', [installed], { env });
      expect(readFileSync(rules, 'utf8')).toBe(`${rule}\n`);
    });
  });

  it('lets the instance associate only its own Elastic IP, with no wildcard actions', () => {
    const docs = Object.values(tf.data?.aws_iam_policy_document ?? {});
    const eip = docs.find((d) => JSON.stringify(d).includes('ec2:AssociateAddress'));
    const statements = (eip?.statement ?? []) as { actions: string[]; resources: string[] }[];
    expect(statements.flatMap((s) => s.actions)).toEqual(['ec2:AssociateAddress', 'ec2:AssociateAddress']);
    expect(statements[0].resources[0]).toMatch(/elastic-ip\/\$\{aws_eip\./);
  });
});

import { join } from 'node:path';
import { IamPolicy } from '@cdktf/provider-aws/lib/iam-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { awsCallsIn, awsCallsUnder, notAllowed } from './aws-calls';
import { environment, resourcesOf, synthPlatform, TerraformJson } from './support';

type Statement = {
  sid: string;
  actions: string[];
  resources: string[];
  condition?: { test: string; variable: string; values: string[] }[];
};

/** The operator policy's statements: its `policy` references a policy-document data source, read here. */
function operatorStatements(tf: TerraformJson): Statement[] {
  const [policy] = resourcesOf(tf, 'aws_iam_policy').filter((p) => String(p.name).endsWith('-chaos-operator'));
  const reference = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(policy?.policy));
  if (reference === null) throw new Error(`the chaos operator policy is not a policy document reference: ${String(policy?.policy)}`);
  const document = tf.data?.aws_iam_policy_document?.[reference[1] ?? ''];
  return (document?.statement ?? []) as Statement[];
}

// Granted for the SSM host-access adapter (chaos/adapters/ssm/, being written alongside): no code calls them yet.

describe('ChaosOperator: the policy for whoever runs the experiments', () => {
  const { json, tf } = synthPlatform();
  const statements = operatorStatements(tf);
  const granted = statements.flatMap((s) => s.actions);
  const calls = awsCallsUnder(join(__dirname, '../..'), 'chaos');

  it('is one managed policy, named for the environment, and its ARN is an output', () => {
    expect(json).toHaveResourceWithProperties(IamPolicy, { name: 'platform-test-chaos-operator' });
    expect(tf.output.chaosOperatorPolicyArn?.value).toMatch(/^\$\{aws_iam_policy\.[\w-]+\.arn\}$/);
  });

  it('finds the calls in the code (the scan itself works)', () => {
    expect(calls.map((c) => c.action)).toEqual(
      expect.arrayContaining(['ecs:StopTask', 'ec2:TerminateInstances', 'cloudwatch:DescribeAlarms']),
    );
  });

  it('allows every AWS call the chaos module makes', () => {
    expect(notAllowed(calls, granted).map((c) => `${c.action} (${c.file})`)).toEqual([]);
  });

  it('grants nothing the chaos module does not call', () => {
    const called = new Set(calls.map((c) => c.action));
    expect(granted.filter((a) => !called.has(a))).toEqual([]);
  });

  it('fails for a driver that adds a call the policy lacks (self-test on a fake source)', () => {
    const source = [
      "import { RebootInstancesCommand, DeleteVpcCommand as Gone, type Instance } from '@aws-sdk/client-ec2';",
      "import { StopTaskCommand } from '@aws-sdk/client-ecs';",
      'await ec2.send(new RebootInstancesCommand({ InstanceIds }));',
      'await ec2.send(new Gone({ VpcId }));',
    ].join('\n');
    const found = awsCallsIn(source, 'fake.ts');
    // Imported but never constructed: not a call.
    expect(found.map((c) => c.action)).toEqual(['ec2:RebootInstances', 'ec2:DeleteVpc']);
    expect(notAllowed(found, granted)).toEqual([{ file: 'fake.ts', command: 'DeleteVpcCommand', action: 'ec2:DeleteVpc' }]);
    expect(() => awsCallsIn("import { PutObjectCommand } from '@aws-sdk/client-s3';\nnew PutObjectCommand({});")).toThrow(/no IAM prefix/);
  });

  it('uses "*" only for actions without resource-level permissions', () => {
    const star = statements.filter((s) => s.resources.includes('*')).flatMap((s) => s.actions);
    expect(star.sort()).toEqual([
      'autoscaling:DescribeAutoScalingGroups',
      'ssm:CancelCommand',
      'ssm:GetCommandInvocation',
      'sts:GetCallerIdentity',
    ]);
  });

  it("limits instance faults and shell commands to the cluster's tagged instances", () => {
    const tagged = statements.filter((s) => s.sid === 'OwnInstances' || s.sid === 'ShellOnOwnInstances');
    expect(tagged.flatMap((s) => s.actions).sort()).toEqual(['ec2:RebootInstances', 'ec2:TerminateInstances', 'ssm:SendCommand']);
    for (const s of tagged) {
      expect(s.resources).toEqual([expect.stringMatching(/:ec2:eu-west-1:.*:instance\/\*$/)]);
      expect(s.condition).toEqual([{ test: 'StringEquals', variable: 'aws:ResourceTag/platform:cluster', values: ['platform-test'] }]);
    }
    const document = statements.find((s) => s.sid === 'ShellDocument');
    expect(document?.resources).toEqual([expect.stringMatching(/:ssm:eu-west-1::document\/AWS-RunShellScript$/)]);
  });

  it('scopes ECS calls to the cluster, its services and the tasks and instances in it', () => {
    const bySid = (sid: string) => statements.find((s) => s.sid === sid)?.resources ?? [];
    expect(bySid('ListInCluster')).toEqual([expect.stringMatching(/^\$\{aws_ecs_cluster\.[\w-]+\.arn\}$/)]);
    // One ECS service per copy: two of the api, two of the frontend, the proxy.
    expect(bySid('Services')).toHaveLength(5);
    expect(bySid('Services').every((r) => /^\$\{aws_ecs_service\.[\w-]+\.id\}$/.test(r))).toBe(true);
    expect(bySid('Tasks')).toEqual([expect.stringMatching(/:ecs:eu-west-1:.*:task\/\$\{aws_ecs_cluster\.[\w-]+\.name\}\/\*$/)]);
    expect(bySid('ContainerInstances')).toEqual([expect.stringMatching(/:container-instance\/\$\{aws_ecs_cluster\.[\w-]+\.name\}\/\*$/)]);
  });

  it('creates no role by default', () => {
    expect(resourcesOf(tf, 'aws_iam_role').filter((r) => String(r.name).endsWith('-chaos-operator'))).toEqual([]);
  });
});

describe('ChaosOperator with chaosOperatorTrustedArns: a role to assume', () => {
  it('accepts only IAM principal ARNs in the config', () => {
    expect(() => environment({ chaosOperatorTrustedArns: ['*'] })).toThrow(/expected an IAM principal ARN/);
    expect(() => environment({ chaosOperatorTrustedArns: ['arn:aws:iam::123:root'] })).toThrow(/expected an IAM principal ARN/);
  });

  // Synthesized with the policy enforced: a trust policy the rules refused would stop the synth.
  const { json, tf } = synthPlatform({ chaosOperatorTrustedArns: ['arn:aws:iam::123456789012:role/ci-chaos'] });

  it('lets only the named principals assume a role that carries the operator policy', () => {
    const [role] = resourcesOf(tf, 'aws_iam_role').filter((r) => r.name === 'platform-test-chaos-operator');
    const trust = /^\$\{data\.aws_iam_policy_document\.([\w-]+)\.json\}$/.exec(String(role?.assume_role_policy))?.[1] ?? '';
    expect(tf.data?.aws_iam_policy_document?.[trust]?.statement).toEqual([
      expect.objectContaining({
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: ['arn:aws:iam::123456789012:role/ci-chaos'] }],
      }),
    ]);
    expect(json).toHaveResourceWithProperties(IamRolePolicyAttachment, {
      policy_arn: expect.stringMatching(/^\$\{aws_iam_policy\.[\w-]+\.arn\}$/),
    });
  });
});

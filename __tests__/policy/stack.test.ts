import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Aspects, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { buildApp } from '../../stacks/app';
import { EnvironmentConfigInput, loadConfig, parseConfig } from '../../stacks/config';
import { PlatformStack } from '../../stacks/platform-stack';
import { PolicyAspect } from '../../stacks/policy/policy-aspect';
import { blockingFindings } from '../../stacks/policy/evaluate';
import { summary } from '../../stacks/policy/report-text';
import { InvalidSuppressionError, Suppression, suppress } from '../../stacks/policy/suppression';
import { PLATFORM_SUPPRESSIONS } from '../../stacks/policy/suppressions';

const outdir = () => mkdtempSync(join(tmpdir(), 'policy-test-'));

/** One environment's app, synthesizable into a temp directory. */
function platformApp(env: Partial<EnvironmentConfigInput>, policySuppressions?: readonly Suppression[]) {
  const app = new App({ outdir: outdir(), stackTraces: false });
  const config = parseConfig({ environments: [{ name: 'test', region: 'eu-west-1', ...env }] }, 'test.json');
  const stack = new PlatformStack(app, config.environments[0].name, { env: config.environments[0], policySuppressions });
  return { app, stack };
}

describe('the default stack (config/environments.json)', () => {
  // GIVEN both shipped environments, WHEN synthesized with the policy enforced
  const { app, stacks } = buildApp(loadConfig('config/environments.json'), { outdir: outdir() });
  app.synth();
  const reports = stacks.map((s) => s.policy.report());

  it('runs the policy as an aspect of every stack', () => {
    for (const s of stacks) expect(Aspects.of(s).all).toContain(s.policy);
  });

  it('passes every rule on dev and prod, two of them through declared suppressions', () => {
    expect(reports.map((r) => r.stack)).toEqual(['dev', 'prod']);
    for (const report of reports) {
      expect(report.results.filter((r) => r.status === 'failed' || r.status === 'warned')).toEqual([]);
      expect(report.results.every((r) => r.checked > 0)).toBe(true);
      expect(report.unusedSuppressions).toEqual([]);
    }
    expect(summary(reports)).toBe(
      `${stacks[0].policy.rules.length} rules: ${stacks[0].policy.rules.length} passed (2 suppressed) on dev, prod`,
    );
  });

  it('suppresses exactly the known deviations, each with its reason', () => {
    const suppressed = reports[0].results.filter((r) => r.status === 'suppressed');
    expect(suppressed.map((r) => r.rule.id).sort()).toEqual(['ecr-tags-immutable', 'read-only-root-filesystem']);
    const byRule = Object.fromEntries(suppressed.map((r) => [r.rule.id, r.suppressed]));
    expect(byRule['ecr-tags-immutable']).toHaveLength(3);
    expect(byRule['ecr-tags-immutable'][0].suppression.reason).toMatch(/retags `latest`/);
    expect(byRule['read-only-root-filesystem'].map((s) => s.finding.path)).toEqual(['dev/proxy']);
    // The proxy runs as uid 101 now: non-root-user passes on every container without a suppression.
    const nonRoot = reports[0].results.find((r) => r.rule.id === 'non-root-user');
    // Five containers: two copies each of the api and the frontend, the proxy.
    expect(nonRoot).toMatchObject({ status: 'passed', checked: 5 });
  });
});

describe('a fleet (instanceCount 3, a domain)', () => {
  it('passes every rule, the balancer rules included, with only the known suppressions', () => {
    // GIVEN three instances behind the network load balancer, WHEN synthesized with the policy, THEN
    const { app, stack } = platformApp({ instanceCount: 3, domain: 'app.example.com', acmeEmail: 'ops@example.com' });
    expect(() => app.synth()).not.toThrow();
    const results = stack.policy.report().results;
    expect(results.filter((r) => r.status === 'failed' || r.status === 'warned')).toEqual([]);
    for (const id of ['load-balancer-listeners-only-web-ports', 'load-balancer-has-security-group', 'load-balancer-health-check-deep']) {
      expect(results.find((r) => r.rule.id === id)?.status).toBe('passed');
    }
    // Without the suppressions the same two deviations as the one-instance stack, nothing about the fleet.
    const ids = blockingFindings(platformApp({ instanceCount: 3 }, []).stack.policy.check()).map((f) => f.rule.id);
    expect([...new Set(ids)].sort()).toEqual(['ecr-tags-immutable', 'read-only-root-filesystem']);
  });
});

describe('synth stops on an unsuppressed error finding', () => {
  it('fails with the SSH rule id and its checkov/trivy ids, the construct path and how to fix or suppress', () => {
    // GIVEN SSH open to the world, WHEN synthesized, THEN synth throws naming the rule
    const { app } = platformApp({ sshCidrs: ['0.0.0.0/0'] });
    let message = '';
    try {
      app.synth();
    } catch (err) {
      message = err instanceof Error ? err.message : String(err);
    }
    expect(message).toMatch(
      /\[ssh-not-open-to-world\] \(checkov CKV_AWS_24; trivy AVD-AWS-0107\) at test\/security-groups\/ssh-in-0 \(aws_vpc_security_group_ingress_rule\.[\w-]+\)/,
    );
    expect(message).toMatch(/Fix: list the operators' addresses in the environment's "sshCidrs"/);
    expect(message).toMatch(
      /suppress\(\{ ruleId: 'ssh-not-open-to-world', path: 'security-groups\/ssh-in-0', reason: '\.\.\.' \}\) to stacks\/policy\/suppressions\.ts/,
    );
  });

  it('passes a restricted SSH block', () => {
    expect(() => platformApp({ sshCidrs: ['203.0.113.7/32'] }).app.synth()).not.toThrow();
  });

  it('passes once the finding is suppressed with a reason, which the report carries', () => {
    const reason = 'Rehearsal environment behind a VPN that filters port 22 upstream';
    const { app, stack } = platformApp({ sshCidrs: ['0.0.0.0/0'] }, [
      ...PLATFORM_SUPPRESSIONS,
      suppress({ ruleId: 'ssh-not-open-to-world', path: 'security-groups', reason }),
      suppress({ ruleId: 'public-ingress-only-web-ports', path: 'security-groups/ssh-in-0', reason }),
    ]);
    expect(() => app.synth()).not.toThrow();
    const ssh = stack.policy.report().results.find((r) => r.rule.id === 'ssh-not-open-to-world');
    expect(ssh?.status).toBe('suppressed');
    expect(ssh?.suppressed[0].suppression.reason).toBe(reason);
  });

  it('fails the default stack on the known deviations once their suppressions are gone', () => {
    const { stack } = platformApp({}, []);
    const ids = blockingFindings(stack.policy.check()).map((f) => f.rule.id);
    expect([...new Set(ids)].sort()).toEqual(['ecr-tags-immutable', 'read-only-root-filesystem']);
    expect(() => platformApp({}, []).app.synth()).toThrow(
      /\[ecr-tags-immutable\] \(checkov CKV_AWS_51; trivy AVD-AWS-0031\) at test\/registry\/api/,
    );
  });
});

describe('suppressions need a rule id and a reason', () => {
  it.each([
    ['an empty reason', { ruleId: 'ssh-not-open-to-world', reason: '' }, /needs a reason/],
    ['a blank reason', { ruleId: 'ssh-not-open-to-world', reason: '   ' }, /needs a reason/],
    ['no rule id', { ruleId: '', reason: 'because' }, /needs the id of the rule/],
    [
      'an absolute path',
      { ruleId: 'ssh-not-open-to-world', reason: 'because', path: '/dev/proxy' },
      /path must be a construct path inside the stack/,
    ],
  ])('refuses %s', (_case, suppression, message) => {
    expect(() => suppress(suppression)).toThrow(InvalidSuppressionError);
    expect(() => suppress(suppression)).toThrow(message);
  });

  it('refuses a reasonless suppression handed to the stack, before anything is built', () => {
    const reasonless: Suppression = { ruleId: 'ssh-not-open-to-world', reason: '' };
    expect(() => platformApp({}, [reasonless])).toThrow(/suppression \{"ruleId":"ssh-not-open-to-world"\}: needs a reason/);
  });

  it('refuses a suppression of a rule that does not exist', () => {
    expect(() => platformApp({}, [{ ruleId: 'ssh-open', reason: 'typo' }])).toThrow(/no rule has the id "ssh-open"/);
  });
});

describe('warnings', () => {
  it('are annotated (cdktf prints them) and do not stop synth', () => {
    // GIVEN a repository that passes every error rule but has no lifecycle policy (a warning rule)
    const dir = outdir();
    const app = new App({ outdir: dir, stackTraces: false });
    const stack = new TerraformStack(app, 'warn');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new EcrRepository(stack, 'repo', { name: 'r', imageTagMutability: 'IMMUTABLE', imageScanningConfiguration: { scanOnPush: true } });
    PolicyAspect.enforce(stack);
    // WHEN synthesized, THEN it succeeds and the manifest carries the warning
    expect(() => app.synth()).not.toThrow();
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { annotations: { level: string; message: string }[] }>;
    };
    const warnings = manifest.stacks.warn.annotations.filter((a) => a.level === '@cdktf/warn').map((a) => a.message);
    expect(warnings).toEqual([
      expect.stringMatching(
        /^policy warning \[ecr-lifecycle-policy\] \(no checkov or trivy equivalent\) at warn\/repo \(aws_ecr_repository\.repo\)/,
      ),
    ]);
  });
});

import { evaluatePolicy } from '../../stacks/policy/evaluate';
import { equivalents, findingMessage, renderReport, summary } from '../../stacks/policy/report-text';
import { RULES } from '../../stacks/policy/rules';
import { Finding } from '../../stacks/policy/rule';
import { covers } from '../../stacks/policy/suppression';
import { container, element } from './subject-builders';

const at = (path: string): Finding => ({ path, subject: 'x', message: 'm' });
const rule = (id: string) => {
  const found = RULES.find((r) => r.id === id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
};

describe('suppression scope', () => {
  it.each([
    ['the whole stack', undefined, 'dev/registry/api', true],
    ['the construct itself', 'proxy', 'dev/proxy', true],
    ['a construct below it', 'registry', 'dev/registry/api', true],
    ['a sibling whose name starts the same', 'proxy', 'dev/proxy-extra', false],
    ['another stack', 'proxy', 'prod/proxy', false],
  ])('%s', (_case, path, findingPath, expected) => {
    expect(covers({ ruleId: 'non-root-user', reason: 'r', path }, 'non-root-user', 'dev', at(findingPath))).toBe(expected);
  });

  it('covers only its own rule', () => {
    expect(covers({ ruleId: 'non-root-user', reason: 'r' }, 'read-only-root-filesystem', 'dev', at('dev/proxy'))).toBe(false);
  });
});

describe('evaluatePolicy', () => {
  // GIVEN a root container (error rule), no restart policy (warning rule) and a stale suppression
  const subject = { ...container({ user: 'root', restartPolicy: undefined }), path: 'dev/api' };
  const stale = { ruleId: 'ecr-tags-immutable', reason: 'retagging', path: 'registry' };
  const report = evaluatePolicy({
    stack: 'dev',
    subjects: [subject, { ...element('aws_subnet', {}), path: 'dev/network/public-0' }],
    rules: [
      rule('non-root-user'),
      rule('container-restart-policy'),
      rule('read-only-root-filesystem'),
      rule('ecr-tags-immutable'),
      rule('subnets-no-public-ip-on-launch'),
    ],
    suppressions: [{ ruleId: 'read-only-root-filesystem', reason: 'unused here', path: 'proxy' }, stale],
  });
  const status = Object.fromEntries(report.results.map((r) => [r.rule.id, r.status]));

  it('fails error rules, warns warning rules, and passes the rest', () => {
    expect(status).toEqual({
      'non-root-user': 'failed',
      'container-restart-policy': 'warned',
      'read-only-root-filesystem': 'passed',
      'ecr-tags-immutable': 'passed',
      'subnets-no-public-ip-on-launch': 'passed',
    });
    expect(report.results.find((r) => r.rule.id === 'ecr-tags-immutable')?.checked).toBe(0);
  });

  it('reports suppressions that covered nothing', () => {
    expect(report.unusedSuppressions.map((s) => s.ruleId)).toEqual(['read-only-root-filesystem', 'ecr-tags-immutable']);
    expect(renderReport(report)).toMatch(/note: suppression of ecr-tags-immutable \(registry\) covered nothing on dev/);
  });

  it('prints each rule with its result and the fix under a failure', () => {
    const text = renderReport(report);
    expect(text).toMatch(/^ {2}FAIL {8}non-root-user +Containers run as a non-root user \(no checkov or trivy equivalent\)$/m);
    expect(text).toMatch(/- dev\/api \(container "api" of aws_ecs_task_definition\.api_task\): user is "root" \(root\)/);
    expect(text).toMatch(/fix: set user to a non-root uid:gid/);
    expect(text).toMatch(/suppress\(\{ ruleId: 'non-root-user', path: 'api', reason: '\.\.\.' \}\)/);
    expect(text).toMatch(/^ {2}warn {8}container-restart-policy/m);
    // A passing rule leaves its equivalents to --list.
    expect(text).toMatch(/^ {2}pass {8}subnets-no-public-ip-on-launch +[^(]+$/m);
  });

  it("names the checkov and trivy equivalents on the failure line, synth's and the report's", () => {
    const imds = rule('imdsv2-required');
    const finding = { path: 'dev/cluster/launch-template', subject: 'aws_launch_template.t', message: 'http_tokens is "optional"' };
    expect(findingMessage('dev', imds, finding)).toMatch(
      /^policy error \[imdsv2-required\] \(checkov CKV_AWS_79; trivy AVD-AWS-0028, AVD-AWS-0130\) at dev\/cluster\/launch-template \(aws_launch_template\.t\): /,
    );
    expect(equivalents(rule('imds-hop-limit-one'))).toBe('checkov CKV_AWS_341');
    expect(equivalents(rule('public-ingress-only-web-ports'))).toBe('no checkov or trivy equivalent');
  });

  it('counts rules over every stack', () => {
    expect(summary([report])).toBe('5 rules: 3 passed (0 suppressed), 1 failed, 1 with warnings on dev');
  });
});

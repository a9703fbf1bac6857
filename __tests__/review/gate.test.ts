import { GateUsageError, gateFailures, parseFailOn, renderGate } from '../../review/gate';
import { PolicySummary, StackReview } from '../../review/markdown';

const review = (stack: string, flags: StackReview['changes'][number]['flags']): StackReview => ({
  stack,
  mode: 'what-if',
  changes: [{ address: 'aws_x.y', type: 'aws_x', kind: 'update', diffs: [], flags }],
});
const policy = (failures: PolicySummary['failures']): PolicySummary => ({ rules: 35, failures, suppressed: [] });

describe('parseFailOn', () => {
  it.each([
    ['downtime,security,policy', ['downtime', 'security', 'policy']],
    [' security , security', ['security']],
    ['data-loss', ['data-loss']],
  ])('%j → %j', (text, kinds) => expect(parseFailOn(text)).toEqual(kinds));

  it.each([
    ['cost', /^--fail-on cost: not a risk kind \(expected a comma-separated list of downtime, security, data-loss, policy\)$/],
    [',', /^--fail-on needs one or more of/],
  ])('refuses %j in one line', (text, message) => {
    expect(() => parseFailOn(text)).toThrow(GateUsageError);
    expect(() => parseFailOn(text)).toThrow(message);
  });
});

describe('gateFailures', () => {
  const reviews = [review('dev', [{ kind: 'security', message: 'opens port 22 to the whole internet (0.0.0.0/0)' }]), review('prod', [])];
  const policies = new Map([
    ['dev', policy([{ rule: 'ssh-not-open-to-world', resource: 'sg', message: 'open', warning: false }])],
    ['prod', policy([{ rule: 'logs-retention (warning)', resource: 'lg', message: 'short', warning: true }])],
  ]);

  it('fails on a flagged risk of a kind asked for, and only then', () => {
    expect(gateFailures(reviews, policies, ['security'])).toEqual([
      { kind: 'security', stack: 'dev', what: '`aws_x.y`: opens port 22 to the whole internet (0.0.0.0/0)' },
    ]);
    expect(gateFailures(reviews, policies, ['downtime', 'data-loss'])).toEqual([]);
  });

  it('fails on an error-severity policy violation, not on a warning', () => {
    expect(gateFailures(reviews, policies, ['policy'])).toEqual([{ kind: 'policy', stack: 'dev', what: '**ssh-not-open-to-world** `sg`' }]);
  });

  it('says in the comment why the check failed or passed', () => {
    expect(renderGate(['security'], gateFailures(reviews, policies, ['security']))).toMatch(
      /^## Gate: failed\n\n`--fail-on security`: 1 finding:\n- security in `dev`: `aws_x\.y`: opens port 22/,
    );
    expect(renderGate(['downtime'], [])).toContain('## Gate: passed');
  });
});

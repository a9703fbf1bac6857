import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RULES } from '../../stacks/policy/rules';
import { Rule } from '../../stacks/policy/rule';
import { Subject } from '../../stacks/policy/subject';
import { FIXTURES } from './fixtures';

const RULES_DIR = join(__dirname, '../../stacks/policy/rules');

/** The construct path a finding about `subject` must name (a whole-stack finding names an element). */
const pathsOf = (subject: Subject): readonly string[] => (subject.kind === 'stack' ? subject.elements.map((e) => e.path) : [subject.path]);

describe.each(RULES.map((rule) => [rule.id, rule] as const))('rule %s', (id, rule: Rule) => {
  const fixture = FIXTURES[id];
  if (!fixture) throw new Error(`no fixture for rule ${id} in __tests__/policy/fixtures.ts`);

  it.each(fixture.compliant.map((s, i) => [i, s] as const))('passes compliant subject #%d', (_i, subject) => {
    // GIVEN a subject the rule looks at, WHEN checked, THEN nothing is found
    expect(rule.appliesTo(subject)).toBe(true);
    expect(rule.check(subject)).toEqual([]);
  });

  it.each(fixture.nonCompliant.map((s, i) => [i, s] as const))('flags non-compliant subject #%d', (_i, subject) => {
    expect(rule.appliesTo(subject)).toBe(true);
    const findings = rule.check(subject);
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(pathsOf(subject)).toContain(f.path);
      expect(f.message).toMatch(/\w{3,}/);
      expect(f.subject).not.toBe('');
    }
  });

  it('ignores subjects of other kinds', () => {
    const others = Object.entries(FIXTURES)
      .filter(([other]) => other !== id)
      .flatMap(([, f]) => [...f.compliant, ...f.nonCompliant])
      .filter((s) => !rule.appliesTo(s));
    expect(others.length).toBeGreaterThan(0);
    for (const s of others) expect(rule.check(s)).toEqual([]);
  });
});

describe('the rule catalogue', () => {
  it('has at least 20 rules, each with a fixture, and no fixture without a rule', () => {
    expect(RULES.length).toBeGreaterThanOrEqual(20);
    expect(Object.keys(FIXTURES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it('has unique kebab-case ids', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s: cites well-formed checkov and trivy ids and says what to do', (_id, rule) => {
    for (const id of rule.checkov) expect(id).toMatch(/^CKV2?_AWS_\d+$/);
    for (const id of rule.trivy) expect(id).toMatch(/^AVD-AWS-\d{4}$/);
    expect(rule.title.length).toBeGreaterThan(10);
    expect(rule.description.length).toBeGreaterThan(40);
    expect(rule.remedy.length).toBeGreaterThan(20);
  });

  it('lists one module per rule in the index (adding a rule: one file, one line)', () => {
    const modules = readdirSync(RULES_DIR)
      .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
      .map((f) => basename(f, '.ts'))
      .sort();
    expect(modules).toEqual(RULES.map((r) => r.id).sort());
    for (const name of modules) {
      const exported: Record<string, unknown> = require(join(RULES_DIR, name));
      const rules = Object.values(exported).flatMap((v) => RULES.filter((r) => r === v));
      expect(rules.map((r) => r.id)).toEqual([name]);
    }
  });
});

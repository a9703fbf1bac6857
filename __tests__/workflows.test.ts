import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { validateWorkflow } from '@action-validator/core';

// Workflows cannot run here; they are checked against GitHub's workflow schema (schemastore, bundled in
// action-validator) and against the project: pinned actions, npm scripts that exist.
const dir = '.github/workflows';
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
const scripts = Object.keys((JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts);

type Step = { uses?: string; run?: string };
type Workflow = { jobs: Record<string, { steps: Step[] }> };

describe('GitHub workflow validation', () => {
  it('finds the workflows', () => expect(files).toContain('plan-review.yml'));

  it('rejects a broken workflow (the validator works)', () => {
    expect(validateWorkflow('on: push\njobs:\n  a:\n    runs-onx: ubuntu-latest\n').errors.length).toBeGreaterThan(0);
  });

  it('gates pull requests on the review: --fail-on downtime,security,policy, comment posted either way', () => {
    const workflow = parse(readFileSync(join(dir, 'plan-review.yml'), 'utf8')) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
    const review = steps.find((s) => /npm run review/.test(s.run ?? ''));
    expect(review?.run).toMatch(/--fail-on downtime,security,policy\b/);
    const post = steps.find((s) => s.uses?.startsWith('marocchino/sticky-pull-request-comment@')) as Step & { if?: string };
    expect(post.if).toMatch(/always\(\)/);
  });

  describe.each(files)('%s', (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const workflow = parse(text) as Workflow;
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps ?? []);

    it("matches GitHub's workflow schema", () => expect(validateWorkflow(text).errors).toEqual([]));

    it('pins every action to a full version or a commit', () => {
      const uses = steps.flatMap((s) => (s.uses ? [s.uses] : []));
      expect(uses.length).toBeGreaterThan(0);
      for (const u of uses) expect(u).toMatch(/@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/);
    });

    it('runs only npm scripts that exist', () => {
      const used = steps.flatMap((s) => [...(s.run ?? '').matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]));
      for (const script of used) expect(scripts).toContain(script);
    });
  });
});

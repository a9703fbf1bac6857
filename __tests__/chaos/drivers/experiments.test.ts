/**
 * The shipped experiments: every one plans against a sample AWS outputs file and against local
 * outputs, and refuses to run without --yes (stop-api-task end to end, with a real sshd, is in
 * experiments-sshd.tools.test.ts).
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CATALOG } from '../../../chaos/drivers';
import { loadExperiment } from '../../../chaos/model/load-experiment';
import { REPO, runCli } from '../helpers/cli-harness';
import { testOutputs } from './support/outputs';

const AWS_FIXTURE = join(REPO, '__tests__/chaos/fixtures/outputs-aws.json');
const EXPERIMENTS = join(REPO, 'chaos/experiments');
const SHIPPED = [
  'stop-api-ssh',
  'stop-frontend-ssh',
  'stop-proxy-ssh',
  'stop-api-task',
  'stop-frontend-task',
  'stop-proxy-task',
  'stop-one-api-copy',
  'terminate-instance',
  'drain-instance',
];

describe('shipped experiments', () => {
  it('ships the catalog the issue names', async () => {
    const files = await readdir(EXPERIMENTS);
    for (const name of SHIPPED) expect(files).toContain(`${name}.yaml`);
  });

  it('validate passes for every file', async () => {
    const files = (await readdir(EXPERIMENTS)).map((f) => join('chaos/experiments', f));
    const result = await runCli(['validate', ...files], REPO);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });

  it('validate passes for the local-only experiments (chaos/experiments-local), each with its expected outcome', async () => {
    const local = join(REPO, 'chaos/experiments-local');
    const names = (await readdir(local)).filter((f) => f.endsWith('.yaml'));
    expect(names).toContain('rolling-deploy.yaml');
    const result = await runCli(['validate', ...names.map((f) => join('chaos/experiments-local', f))], REPO);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const name of names) {
      const experiment = await loadExperiment(name, join(local, name), { catalog: FAULT_CATALOG, env: {} });
      expect(experiment.description).toMatch(/^Expected outcome: /);
    }
  });

  it.each(SHIPPED)('%s: states its expected outcome and a recovery objective', async (name) => {
    const experiment = await loadExperiment(`${name}.yaml`, join(EXPERIMENTS, `${name}.yaml`), { catalog: FAULT_CATALOG, env: {} });
    expect(experiment.description).toMatch(/^Expected outcome: /);
    expect(experiment.recovery?.within).toBeGreaterThan(0);
  });

  it('stop-api-task --dry-run against the sample AWS outputs prints the ECS plan', async () => {
    const result = await runCli(['run', 'chaos/experiments/stop-api-task.yaml', '--dry-run', '--outputs', AWS_FIXTURE], REPO);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('outputs: ' + AWS_FIXTURE + ' (cdktf, stack platform-staging; aws/staging)');
    expect(result.stdout).toContain(
      'action "stop-api-task": ecs:stop-task: ECS StopTask of a running task of platform-staging-api in platform-staging, reason "chaos: stop-api-task experiment" [destructive]',
    );
    expect(result.stdout).toContain('sample http://203.0.113.10/ 20/s from the first action; availability must be >= 100%');
    expect(result.stdout).toContain('dry run: nothing was done, no journal written');
  });

  it('stop-api-task --dry-run against local outputs plans the swarm equivalent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaos-local-outputs-'));
    const file = join(dir, 'outputs.json');
    await writeFile(file, JSON.stringify(testOutputs()));
    const result = await runCli(['run', 'chaos/experiments/stop-api-task.yaml', '--dry-run', '--outputs', file], REPO);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'ecs:stop-task: local target, as swarm:stop-task: docker stop the container of a running task of platform-test-api',
    );
  });

  it.each(SHIPPED)('%s plans against the sample AWS outputs and needs --yes to run', async (name) => {
    const file = `chaos/experiments/${name}.yaml`;
    const plan = await runCli(['run', file, '--dry-run', '--outputs', AWS_FIXTURE], REPO);
    expect(plan.code).toBe(0);
    expect(plan.stdout).toMatch(/\[destructive\]/);
    const refused = await runCli(['run', file, '--outputs', AWS_FIXTURE, '--quiet'], REPO);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/injects destructive faults .*add --yes/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import { parseConfig } from '../../stacks/config';
import { PlatformStack } from '../../stacks/platform-stack';
import { runCli, REPO } from './helpers/cli-harness';

/**
 * The default deployment (config/environments.json's dev) opens no port 22 and sets no key pair, so
 * every shipped experiment must plan over what its outputs offer: SSM for the host faults.
 */
const FIXTURE = join(REPO, '__tests__/chaos/fixtures/outputs-aws-default.json');
const EXPERIMENTS = readdirSync(join(REPO, 'chaos/experiments')).filter((f) => f.endsWith('.yaml'));

function devStackOutputs(): Record<string, { value: unknown }> {
  const config = parseConfig(JSON.parse(readFileSync(join(REPO, 'config/environments.json'), 'utf8')), 'config/environments.json');
  const env = config.environments.find((e) => e.name === 'dev');
  if (env === undefined) throw new Error('no dev environment in config/environments.json');
  const json = Testing.synth(new PlatformStack(Testing.app({ stackTraces: false }), env.name, { env }));
  return (JSON.parse(json) as { output: Record<string, { value: unknown }> }).output;
}

describe('the outputs of a default deployment', () => {
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Record<string, unknown>>;
  const outputs = devStackOutputs();

  it('the fixture has exactly the output ids the dev stack emits, under its stack name', () => {
    expect(Object.keys(fixture)).toEqual(['dev']);
    expect(Object.keys(fixture.dev ?? {}).sort()).toEqual(Object.keys(outputs).sort());
  });

  it('the dev stack offers SSM, as the fixture says (no sshCidrs, no key pair)', () => {
    expect(outputs.hostAccess?.value).toBe('ssm');
    expect(fixture.dev?.hostAccess).toBe('ssm');
  });

  it.each(EXPERIMENTS)('chaos run %s --dry-run plans against it', async (file) => {
    const result = await runCli(['run', join('chaos/experiments', file), '--outputs', FIXTURE, '--dry-run'], REPO);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^outputs: .*outputs-aws-default\.json \(cdktf, stack dev; aws\/dev\)$/m);
    expect(result.stdout).not.toMatch(/over SSH/);
    if (/-ssh\.yaml$/.test(file))
      expect(result.stdout).toMatch(/ssh:docker-stop: over SSM to the container instance of cluster platform-dev: docker ps/);
    for (const line of result.stdout.split('\n').filter((l) => / ssh:[a-z-]+: /.test(l)))
      expect(line).toMatch(/ ssh:[a-z-]+: over SSM to /);
  });

  it('--host-access ssh plans the host faults over SSH instead', async () => {
    const result = await runCli(
      ['run', 'chaos/experiments/stop-api-ssh.yaml', '--outputs', FIXTURE, '--dry-run', '--host-access', 'ssh'],
      REPO,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ssh:docker-stop: over SSH to ec2-user@203\.0\.113\.10: docker ps/);
  });

  it('validate --outputs accepts every shipped experiment', async () => {
    const result = await runCli(['validate', ...EXPERIMENTS.map((f) => join('chaos/experiments', f)), '--outputs', FIXTURE], REPO);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { SERVICE_NAMES } from '../../contract/services';
import { runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

// Every client the run could create: the real factories are used, and these intercept every send.
const sts = mockClient(STSClient);
const others = [mockClient(ECSClient), mockClient(EC2Client), mockClient(AutoScalingClient), mockClient(CloudWatchClient)];

let dir: string;
let server: LocalServer;
const run = (...extra: string[]) =>
  runCli(['run', 'exp.yaml', '--outputs', 'outputs.json', '--journal', 'j.json', '--force', '--quiet', ...extra], dir);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaos-account-'));
  server = await new LocalServer().start();
  const outputs = {
    ...outputsFor(server.url),
    target: 'aws',
    hostAccess: 'ssm',
    certificateVolume: 'fs-0123456789abcdef0',
    repositoryUrls: Object.fromEntries(SERVICE_NAMES.map((s) => [s, `123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-test/${s}`])),
  };
  await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputs));
  await writeFile(
    join(dir, 'exp.yaml'),
    `title: Up\ndescription: d\nsteady-state-hypothesis:\n  title: up\n  probes:\n    - {type: probe, name: health, tolerance: 200, provider: {type: http, url: "${server.url}/healthz"}}\nmethod:\n  - {type: probe, name: page, tolerance: 200, provider: {type: http, url: "${server.url}/"}}\n`,
  );
});
afterAll(async () => server.stop());
beforeEach(() => {
  sts.reset();
  for (const mock of others) mock.reset();
});

describe('account guard: the credentials must be in the account of the outputs', () => {
  it('GIVEN credentials in another account THEN exit 2 naming both, and nothing else is called', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '210987654321', Arn: 'arn:aws:iam::210987654321:user/someone' });
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "chaos: account guard: the credentials are in account 210987654321, but the outputs' cluster is in account 123456789012 (arn:aws:ecs:us-east-1:123456789012:cluster/platform-test); refusing to inject faults: use credentials for account 123456789012\n",
    );
    expect(result.stdout).toBe('');
    expect(server.requests).toBe(0);
    for (const mock of others) expect(mock.calls()).toHaveLength(0);
  });

  it('GIVEN credentials in the same account THEN the run proceeds', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    const result = await run();
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^completed: Up; journal j\.json$/m);
    expect(result.code).toBe(0);
    expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(1);
  });

  it('GIVEN AccessDenied THEN one clear line, exit 2', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(new STSServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: {}, message: 'not authorized' }));
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'chaos: account guard: cannot tell which account the credentials are in (the credentials may not call sts:GetCallerIdentity: attach the chaos operator policy (output chaosOperatorPolicyArn)); nothing was done\n',
    );
    for (const mock of others) expect(mock.calls()).toHaveLength(0);
  });

  it('GIVEN --dry-run THEN no AWS call, and it says which live checks it skipped', async () => {
    const result = await run('--dry-run');
    expect(result.code).toBe(0);
    expect(sts.calls()).toHaveLength(0);
    expect(result.stdout).toContain(
      "dry run: skipped the live checks (no AWS call, no credentials used): the account guard (sts:GetCallerIdentity must answer account 123456789012), the steady-state probes and the stop conditions' alarms\n",
    );
  });
});

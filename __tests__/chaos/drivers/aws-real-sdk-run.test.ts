import { ECSClient } from '@aws-sdk/client-ecs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../chaos/commands/run';
import { quietInterrupts } from '../../../chaos/io';
import { noClients } from '../helpers/driver-context';
import { AwsJsonEndpoint } from '../support/aws-json-endpoint';
import { awsOutputs } from './support/outputs';

/** A run whose ECS calls go through the real SDK client to a local endpoint that denies them. */
const aws = new AwsJsonEndpoint();
beforeAll(() => aws.start());
afterAll(() => aws.stop());
// STS speaks awsQuery (form and XML), not JSON: the account guard's answer stays mocked.
const stsMock = mockClient(STSClient);
beforeEach(() => {
  aws.reset();
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
});
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-test';
const DENIED =
  'User: arn:aws:iam::123456789012:user/chaos is not authorized to perform: ecs:ListTasks on resource: arn:aws:ecs:us-east-1:123456789012:container-instance/platform-test/*';

describe('a run whose ecs:stop-task is denied', () => {
  it('ends with exit 1, one line on stderr and in the journal naming AccessDeniedException', async () => {
    aws.failNext('ListTasks', { error: 'AccessDeniedException', message: DENIED }, 5);
    const dir = await mkdtemp(join(tmpdir(), 'chaos-denied-'));
    const outputs = awsOutputs({
      certificateVolume: 'fs-0123456789abcdef0',
      repositoryUrls: { frontend: `${REGISTRY}/frontend`, api: `${REGISTRY}/api`, proxy: `${REGISTRY}/proxy` },
    });
    await writeFile(join(dir, 'outputs.json'), JSON.stringify(outputs));
    await writeFile(
      join(dir, 'exp.yaml'),
      [
        'title: The API survives a stopped task',
        'description: d',
        'method:',
        '    - {type: action, name: stop-api, provider: {type: fault, id: "ecs:stop-task", arguments: {service: api, reason: game day}}}',
        '',
      ].join('\n'),
    );
    let stdout = '';
    let stderr = '';
    const code = await runCommand(
      {
        experiments: ['exp.yaml'],
        outputs: 'outputs.json',
        stack: undefined,
        dryRun: false,
        journal: 'journal.json',
        yes: true,
        quiet: false,
        clients: { ...noClients, ecs: () => new ECSClient(aws.clientConfig()), sts: () => new STSClient({ region: 'us-east-1' }) },
      },
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: (t) => {
          stderr += t;
        },
        cwd: dir,
        env: { ...process.env, CHAOS_RUNTIME_DIR: dir },
        interrupts: quietInterrupts,
      },
    );
    const journal = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'));
    const line = `AccessDeniedException: ${DENIED}`;
    expect(code).toBe(1);
    // The SDK's error, parsed from the 400 answer, once: no retry, no stack, no second line.
    expect(aws.operations()).toEqual(['ListTasks']);
    expect(stdout).toBe(`aborted: The API survives a stopped task (aborted: ${line}); journal journal.json\n`);
    const denied = stderr.split('\n').filter((l) => l.includes('AccessDenied'));
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatch(
      /^\[ *[\d.]+s\] +FAILED "stop-api" in [\d.]+s: AccessDeniedException: User: .* is not authorized to perform: ecs:ListTasks /,
    );
    expect(journal.status).toBe('aborted');
    expect(journal.run).toHaveLength(1);
    expect(journal.run[0]).toMatchObject({ status: 'failed', output: null, exception: [line] });
    expect(journal.reasons).toEqual([`aborted: ${line}`, `action "stop-api" failed: ${line}`]);
  });
});

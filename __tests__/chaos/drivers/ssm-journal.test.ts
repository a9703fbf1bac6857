import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../../../chaos/commands/run';
import { quietInterrupts } from '../../../chaos/io';
import { noClients } from '../helpers/driver-context';
import { HOST_CONTAINER } from '../helpers/recording-host';
import { awsOutputs } from './support/outputs';
import { INSTANCE, invocation, mockSsmHost } from './support/ssm-mocks';

const host = mockSsmHost();
// The account guard asks who the credentials are: the outputs' account.
const stsMock = mockClient(STSClient);
beforeEach(() => {
  stsMock.reset();
  stsMock.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
});
const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com/platform-test';

describe('a run on outputs that say hostAccess: ssm', () => {
  it('binds the SSM adapter, records it in the journal, and runs the probe on the cluster instance', async () => {
    host.answer(() => invocation('Success', { stdout: `${HOST_CONTAINER} ecs-platform-test-api-1-api\n` }));
    const dir = await mkdtemp(join(tmpdir(), 'chaos-ssm-'));
    await writeFile(
      join(dir, 'outputs.json'),
      JSON.stringify(
        awsOutputs({
          hostAccess: 'ssm',
          // What the reader demands of AWS outputs, which the driver tests' outputs need not have.
          certificateVolume: 'fs-0123456789abcdef0',
          repositoryUrls: {
            frontend: `${REGISTRY}/frontend`,
            api: `${REGISTRY}/api`,
            proxy: `${REGISTRY}/proxy`,
          },
        }),
      ),
    );
    await writeFile(
      join(dir, 'exp.yaml'),
      [
        'title: The API container runs',
        'description: d',
        'steady-state-hypothesis:',
        '  title: running',
        '  probes:',
        '    - {type: probe, name: api-running, provider: {type: fault, id: "ssh:container-running", arguments: {service: api}}, tolerance: {type: jsonpath, path: "$.running", expect: true}}',
        'method:',
        '    - {type: probe, name: api-still-running, provider: {type: fault, id: "ssh:container-running", arguments: {service: api}}}',
        '',
      ].join('\n'),
    );
    let stdout = '';
    const code = await runCommand(
      {
        experiments: ['exp.yaml'],
        outputs: 'outputs.json',
        stack: undefined,
        dryRun: false,
        journal: 'journal.json',
        yes: false,
        quiet: true,
        clients: { ...noClients, ...host.clients, sts: () => new STSClient({ region: 'us-east-1' }) },
      },
      {
        stdout: (t) => {
          stdout += t;
        },
        stderr: () => undefined,
        cwd: dir,
        env: { ...process.env, CHAOS_RUNTIME_DIR: dir },
        interrupts: quietInterrupts,
      },
    );
    expect(stdout).toMatch(/^completed: /);
    expect(code).toBe(0);
    const journal = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'));
    expect(journal.adapters).toEqual({ target: 'aws', orchestrator: 'ecs', host: 'ssm', aws: 'aws', nodes: null, region: 'us-east-1' });
    expect(host.sent.every((line) => line.startsWith('docker ps --filter label=com.amazonaws.ecs.container-name=api '))).toBe(true);
    expect(host.ssmMock.calls().some((call) => JSON.stringify(call.args[0].input).includes(INSTANCE))).toBe(true);
  });
});

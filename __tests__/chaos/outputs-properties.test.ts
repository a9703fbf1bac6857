import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { resolveSshSettings } from '../../chaos/adapters/ssh/ssh-settings';
import { ecsServiceEvents } from '../../chaos/drivers/ecs/service-events';
import { ecsServiceStable } from '../../chaos/drivers/ecs/service-stable';
import { ecsStopTask } from '../../chaos/drivers/ecs/stop-task';
import { sshContainerRunning } from '../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../chaos/drivers/ssh/docker-stop';
import { listContainersCommand } from '../../chaos/drivers/ssh/service-container';
import { swarmServiceConverged } from '../../chaos/drivers/swarm/service-converged';
import { swarmStopTask } from '../../chaos/drivers/swarm/stop-task';
import { InvalidOutputsError } from '../../chaos/errors';
import { shellQuote } from '../../chaos/faults/command-words';
import { formatPath } from '../../chaos/model/issue-path';
import { parseOutputs } from '../../chaos/targets/outputs-reader';
import type { JsonObject, JsonValue } from '../../contract/json';
import type { PlatformOutputs } from '../../contract/outputs';
import { SERVICE_NAMES } from '../../contract/services';
import { localOutputs } from '../../rehearsal/outputs';
import { contextFor, runFault } from './drivers/support/context';
import { CONTAINER_A, psLine, RecordedDocker, serviceLine, TASK_A, taskLine } from './drivers/support/recorded-docker';
import { HOST_CONTAINER, recordingHost, withHost } from './helpers/recording-host';

/**
 * Outputs files with arbitrary strings in their name fields: either the reader refuses the file at
 * load (one line naming the file and a field that was changed), or every word the real fault
 * modules would send (docker over SSH, the swarm adapter's docker argv) is fixed vocabulary, an id
 * the recorded host or engine answered with, or a name from the outputs that passed the load-time
 * check, and such a name is inert: nothing a shell interprets, never an option.
 */

const AWS: JsonObject = JSON.parse(readFileSync(join(__dirname, 'fixtures/outputs-aws.json'), 'utf8'))['platform-staging'];
const LOCAL: JsonObject = JSON.parse(
  JSON.stringify(
    localOutputs({
      proxyPort: 8088,
      ssh: { host: '127.0.0.1', port: 2222, user: 'runner' },
      clusterId: 'q3v0j8k2m5n7p9r1s4t6u8w0x',
      nodeId: 'a1b2c3d4e5f6g7h8i9j0k1l2m',
      dockerHost: 'unix:///work/.rehearsal/engine/docker.sock',
    }),
  ),
);

const FIELDS: readonly (readonly string[])[] = [
  ...SERVICE_NAMES.flatMap((s) => ['serviceName', 'containerName', 'taskFamily', 'logGroup', 'healthPath'].map((f) => ['services', s, f])),
  ...['clusterName', 'clusterArn', 'asgName', 'sshUser', 'sshHost', 'publicIp', 'publicUrl', 'dockerHost', 'region', 'environment'].map(
    (f) => [f],
  ),
  ['certificateVolume'],
  ...SERVICE_NAMES.map((s) => ['repositoryUrls', s]),
];

const META = [
  '$(id)',
  '`id`',
  '${IFS}',
  ';',
  '|',
  '&',
  '>',
  '<',
  '*',
  '?',
  '~',
  '#',
  '!',
  '{a,b}',
  "'",
  '"',
  '\\',
  ' ',
  '\t',
  '\n',
  '\r\n',
];
const ODD = ['\u0000', '\u001b[2J', '\u007f', '\u0085', '\u2028', '\u202e', 'а', '🙂', '%0a', '..', '/', ':', '='];
const nameChar = fc.constantFrom(...'abcxyzABC0129_.-'.split(''));
const plainName = fc.string({ unit: nameChar, minLength: 1, maxLength: 20 });
/** A value for any field: likely names, plain names, names with metacharacters inside, options, any code points, very long. */
const alnum = fc.constantFrom(...'abxyzAB019'.split(''));
/** What a name field accepts (mostly), so that accepted files and the names they send are exercised too. */
const likelyName = fc.tuple(alnum, fc.string({ unit: nameChar, maxLength: 30 })).map(([first, rest]) => `${first}${rest}`);
const anyValue = fc.oneof(
  { arbitrary: likelyName, weight: 8 },
  plainName,
  fc.tuple(plainName, fc.constantFrom(...META, ...ODD), plainName).map(([a, m, b]) => `${a}${m}${b}`),
  fc.tuple(fc.constantFrom('-', '--', '-o', '--filter='), plainName).map(([dash, name]) => `${dash}${name}`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: nameChar, minLength: 200, maxLength: 600 }),
  fc.constantFrom(
    '127.0.0.1',
    '::1',
    'localhost',
    '192.0.2.1',
    'unix:///tmp/d.sock',
    'tcp://127.0.0.1:2375',
    'tcp://192.0.2.1:2375',
    'http://127.0.0.1:1/',
    'http://192.0.2.1/',
    'arn:aws:ecs:eu-west-1:123456789012:cluster/x',
    'ssh://root@127.0.0.1',
  ),
);
const mutations = fc.uniqueArray(fc.record({ field: fc.constantFrom(...FIELDS), value: anyValue }), {
  minLength: 1,
  maxLength: 4,
  selector: (m) => m.field.join('.'),
});

function withValue(doc: JsonObject, path: readonly string[], value: string): JsonObject {
  const [key, ...rest] = path;
  if (key === undefined) return doc;
  const inner: JsonValue | undefined = doc[key];
  const child = inner !== undefined && typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? inner : {};
  return { ...doc, [key]: rest.length === 0 ? value : withValue(child, rest, value) };
}

/** What every fixed word is; anything else sent must be an answered id or a name from the outputs. */
const FIXED = new Set([
  ...['docker', 'ps', '--filter', '--format', '{{.ID}} {{.Names}}', 'stop', 'kill', '--signal', 'SIGKILL'],
  ...['inspect', '--type', 'container', '{{.State.StartedAt}}', '--no-trunc', 'service', 'ls', '{{json .}}'],
  '{{.ID}} {{.Names}} {{.Label "com.docker.swarm.task.id"}}',
]);
const INERT = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Checks one word; returns the output name it carries (null for a fixed word or an answered id). */
function nameIn(word: string, outputs: PlatformOutputs): string | null {
  if (FIXED.has(word) || word === CONTAINER_A || word === HOST_CONTAINER) return null;
  const services = SERVICE_NAMES.map((s) => outputs.services[s]);
  const allowed: readonly [RegExp, readonly string[]][] = [
    [/^label=com\.docker\.swarm\.service\.name=(.*)$/s, services.map((s) => s.serviceName)],
    [/^label=com\.amazonaws\.ecs\.container-name=(.*)$/s, services.map((s) => s.containerName)],
    [/^label=com\.amazonaws\.ecs\.task-definition-family=(.*)$/s, services.map((s) => s.taskFamily)],
    [/^name=(.*)$/s, services.map((s) => s.serviceName)],
    [/^(.*)$/s, services.map((s) => s.serviceName)],
  ];
  for (const [pattern, names] of allowed) {
    const value = pattern.exec(word)?.[1];
    if (value !== undefined && names.includes(value)) {
      if (!INERT.test(value) || shellQuote(word) !== word)
        throw new Error(`a name that is not inert reached a command: ${JSON.stringify(word)}`);
      return value;
    }
  }
  throw new Error(`a word that is neither fixed nor from the outputs reached a command: ${JSON.stringify(word)}`);
}

/** Drives the real fault modules against a recording host (and, locally, a recorded engine); returns every word sent. */
async function wordsSent(outputs: PlatformOutputs): Promise<string[][]> {
  const docker = new RecordedDocker().on(['ps'], psLine(CONTAINER_A, TASK_A, 'c')).on(['stop'], CONTAINER_A);
  for (const s of SERVICE_NAMES) {
    const name = outputs.services[s].serviceName;
    docker.on(['service', 'ls', '--filter', `name=${name}`], serviceLine(name, '1/1'));
    docker.on(['service', 'ps'], taskLine(TASK_A, 'Running', 'Running 1 minute ago', '', name));
  }
  const host = recordingHost(outputs.sshHost);
  const words: string[][] = [];
  for (const service of SERVICE_NAMES) {
    const ctx = withHost(contextFor(outputs, { docker: () => docker }), host);
    words.push([...listContainersCommand(ctx.use('orchestrator').containerLabels(service))]);
    await runFault(sshDockerStop, { service }, ctx);
    await runFault(sshDockerKill, { service }, ctx);
    await runFault(sshContainerRunning, { service }, ctx);
    if (outputs.target === 'local') {
      for (const fault of [swarmStopTask, swarmServiceConverged, ecsStopTask, ecsServiceStable, ecsServiceEvents])
        await runFault(fault, { service }, ctx);
    }
  }
  return [...words, ...host.commands, ...docker.calls];
}

const THIS_MACHINE = /^(?:127\.\d+\.\d+\.\d+|::1|localhost)$/;

describe('outputs with arbitrary names: refused at load, or only inert names reach a command', () => {
  it('holds for generated outputs files of both targets', async () => {
    const seen = { refused: 0, accepted: 0, changedNameSent: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('aws', 'local'), mutations, async (target, changes) => {
        const doc = changes.reduce((d, m) => withValue(d, m.field, m.value), target === 'aws' ? AWS : LOCAL);
        let outputs: PlatformOutputs;
        try {
          outputs = parseOutputs(JSON.stringify(doc), 'outputs.json').outputs;
        } catch (error) {
          if (!(error instanceof InvalidOutputsError)) throw error;
          seen.refused += 1;
          expect(error.message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
          const changed = changes.map((m) => formatPath(m.field));
          // A consistency refusal names the ARN or a repository when one of the fields it compares changed.
          const compared = changed.some((f) => /^(region|clusterName|clusterArn|repositoryUrls)/.test(f));
          const named = /^outputs\.json: ([^:]+): /.exec(error.message)?.[1] ?? '';
          expect(changed.includes(named) || (compared && /^(clusterArn|repositoryUrls\.\w+)$/.test(named))).toBe(true);
          return;
        }
        seen.accepted += 1;
        const values = new Set(changes.map((m) => m.value));
        for (const command of await wordsSent(outputs)) {
          for (const word of command) {
            const name = nameIn(word, outputs);
            if (name !== null && values.has(name)) seen.changedNameSent += 1;
          }
        }
        if (outputs.target === 'local') {
          // Nothing but this machine reaches an adapter of the local target.
          const ssh = resolveSshSettings({ connectTimeoutMs: 1 }, outputs, { env: {}, home: '/h', cwd: '/w' }, '.rehearsal/ssh');
          expect(ssh.host).toMatch(THIS_MACHINE);
          expect(new URL(outputs.publicUrl).hostname.replace(/^\[|\]$/g, '')).toMatch(THIS_MACHINE);
          expect(outputs.dockerHost ?? 'unix:///default').toMatch(
            /^(?:unix:\/\/\/|tcp:\/\/(?:127\.\d+\.\d+\.\d+|\[::1\]|localhost)(?::\d+)?\/?$)/,
          );
        }
      }),
      { numRuns: 1000 },
    );
    // Not vacuous: many files were accepted, and changed names did reach commands (inert ones).
    expect(seen.accepted).toBeGreaterThan(50);
    expect(seen.refused).toBeGreaterThan(100);
    expect(seen.changedNameSent).toBeGreaterThan(0);
  });
});

import { sshContainerRunning } from '../../../chaos/drivers/ssh/container-running';
import { sshDockerKill } from '../../../chaos/drivers/ssh/docker-kill';
import { sshDockerStop } from '../../../chaos/drivers/ssh/docker-stop';
import { sshHttpGet } from '../../../chaos/drivers/ssh/http-get';
import { fingerprintOf, parseKnownHosts, patternsMatch, verifyHostKey } from '../../../chaos/adapters/ssh/known-hosts';
import { commandLine, safeName, shellQuote } from '../../../chaos/faults/command-words';
import { listContainersCommand, parseContainerList } from '../../../chaos/drivers/ssh/service-container';
import { SSH_KEY_DIRS } from '../../../chaos/targets/bind-target';
import { resolveSshSettings } from '../../../chaos/adapters/ssh/ssh-settings';
import type { PlatformOutputs } from '../../../contract/outputs';
import { targetFor } from './support/context';
import { awsOutputs, testOutputs } from './support/outputs';

const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIB9+35YVypZGMhfO0HTgkBwP3J0kIrrxkJjVzUxV13Sd';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';
const blob = (key: string): Buffer => Buffer.from(key, 'base64');

describe('ssh fault arguments', () => {
  it.each<[string, unknown, boolean]>([
    ['a service', { service: 'api' }, true],
    [
      'keys and a pinned fingerprint',
      { service: 'proxy', privateKey: '/k', knownHosts: '/kh', hostKeyFingerprint: `SHA256:${'a'.repeat(43)}` },
      true,
    ],
    ['a stop timeout', { service: 'frontend', stopTimeoutSeconds: 0 }, true],
    ['a service the platform does not have', { service: 'db' }, false],
    ['a hostile service', { service: 'api; rm -rf /' }, false],
    ['a container name instead (names come from the outputs)', { service: 'api', container: 'api' }, false],
    ['a fingerprint in the wrong form', { service: 'api', hostKeyFingerprint: 'MD5:aa:bb' }, false],
    ['a negative stop timeout', { service: 'api', stopTimeoutSeconds: -1 }, false],
  ])('ssh:docker-stop with %s', (_name, args, valid) => {
    expect(sshDockerStop.bind(args).ok).toBe(valid);
  });

  it.each<[string, unknown, boolean]>([
    ['the default signal', { service: 'api' }, true],
    ['SIGTERM', { service: 'api', signal: 'SIGTERM' }, true],
    ['a signal outside the list', { service: 'api', signal: 'SIGSTOP' }, false],
    ['a signal carrying a command', { service: 'api', signal: 'KILL; id' }, false],
  ])('ssh:docker-kill with %s', (_name, args, valid) => {
    expect(sshDockerKill.bind(args).ok).toBe(valid);
  });

  it.each<[string, unknown, boolean]>([
    ['a service', { service: 'api' }, true],
    ['a path and newInstance', { service: 'api', path: '/api/status', newInstance: true }, true],
    ['a path with a space', { service: 'api', path: '/a b' }, false],
    ['a path without /', { service: 'api', path: 'healthz' }, false],
  ])('ssh:http-get with %s', (_name, args, valid) => {
    expect(sshHttpGet.bind(args).ok).toBe(valid);
  });

  it('ssh:container-running takes a service only (plus connection settings)', () => {
    expect(sshContainerRunning.bind({ service: 'frontend' }).ok).toBe(true);
    expect(sshContainerRunning.bind({}).ok).toBe(false);
  });
});

describe('ssh dry-run descriptions and targets', () => {
  it('says exactly what would run, where, for both targets', () => {
    const bound = sshDockerStop.bind({ service: 'api' });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(testOutputs()))).toBe(
      "over SSH to ec2-user@[127.0.0.1]:2222: docker ps --filter label=com.docker.swarm.service.name=platform-test-api --format '{{.ID}} {{.Names}}', then docker stop <the one container found>",
    );
    expect(bound.bound.describe(targetFor(awsOutputs({ sshPort: 22, sshHost: '203.0.113.7' })))).toContain(
      'over SSH to ec2-user@203.0.113.7: docker ps --filter label=com.amazonaws.ecs.container-name=api --filter label=com.amazonaws.ecs.task-definition-family=platform-test-api',
    );
    expect(bound.bound.targets(testOutputs())).toEqual([
      { kind: 'host', host: '127.0.0.1' },
      { kind: 'service', service: 'platform-test-api' },
      { kind: 'container', container: 'api' },
    ]);
    expect(bound.bound.destructive).toBe(true);
  });
});

describe('remote words', () => {
  it.each(['api', 'platform-local_api', 'ecs.task-family-1', 'a'])('accepts %j', (name) => {
    expect(safeName(name, 'name')).toBe(name);
  });
  it.each(['', 'api; rm -rf /', '$(x)', '${x}', '`x`', "a'b", 'a"b', 'a b', '-rf', 'a\\b', 'a/b', 'a*', 'ä'])('refuses %j', (name) => {
    expect(() => safeName(name, 'name')).toThrow(/refused name/);
  });
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['{{.ID}} {{.Names}}', "'{{.ID}} {{.Names}}'"],
    ["it's", "'it'\\''s'"],
    ['$(x)', "'$(x)'"],
  ])('quotes %j as %s', (word, quoted) => {
    expect(shellQuote(word)).toBe(quoted);
  });
  it('builds the list command from the outputs only', () => {
    expect(commandLine(listContainersCommand(targetFor(testOutputs()).use('orchestrator').containerLabels('proxy')))).toBe(
      "docker ps --filter label=com.docker.swarm.service.name=platform-test-proxy --format '{{.ID}} {{.Names}}'",
    );
  });
  it('parses docker ps lines and refuses anything else', () => {
    expect(parseContainerList('0123456789ab api.1.xyz\n\n')).toEqual([{ id: '0123456789ab', name: 'api.1.xyz' }]);
    expect(() => parseContainerList('nothex12345z api')).toThrow(/unexpected line/);
    expect(() => parseContainerList('0123456789ab two words')).toThrow(/unexpected line/);
  });
});

describe('known_hosts', () => {
  const hashed = '|1|D2gMvZ/OmHTMgTqDLkleY6EuIpU=|ZmmvqlDAd+r/b8E1St2g8CYkXY4=';
  it.each<[string, string, boolean]>([
    ['host', 'host', true],
    ['HOST', 'host', true],
    ['other,host', 'host', true],
    ['[127.0.0.1]:2222', '[127.0.0.1]:2222', true],
    ['127.0.0.1', '[127.0.0.1]:2222', false],
    ['*.example.com', 'a.example.com', true],
    ['*.example.com,!bad.example.com', 'bad.example.com', false],
    ['h?st', 'host', true],
    [hashed, 'example.com', true],
    [hashed, 'example.org', false],
  ])('%s names %s: %s', (patterns, name, matches) => {
    expect(patternsMatch(patterns, name)).toBe(matches);
  });

  const file = [
    '# comment',
    '',
    `[127.0.0.1]:2222 ssh-ed25519 ${KEY_A}`,
    `@cert-authority *.example.com ssh-ed25519 ${KEY_B}`,
    `@revoked revoked.example.com ssh-ed25519 ${KEY_B}`,
    `revoked.example.com ssh-ed25519 ${KEY_B}`,
    'garbage',
  ].join('\n');
  const entries = parseKnownHosts(file);

  it('reads entries, skipping comments, certificate authorities and short lines', () => {
    expect(entries.map((e) => [e.marker, e.patterns])).toEqual([
      [null, '[127.0.0.1]:2222'],
      ['revoked', 'revoked.example.com'],
      [null, 'revoked.example.com'],
    ]);
  });

  it.each<[string, string, number, string, RegExp | null]>([
    ['the known key', '127.0.0.1', 2222, KEY_A, null],
    ['another key for a known host', '127.0.0.1', 2222, KEY_B, /CHANGED: offered SHA256:.*expects SHA256:/],
    ['an unknown host', '127.0.0.1', 22, KEY_A, /127\.0\.0\.1 is not in kh/],
    ['a revoked key', 'revoked.example.com', 22, KEY_B, /@revoked/],
  ])('%s', (_name, host, port, key, refusal) => {
    const verdict = verifyHostKey(entries, host, port, blob(key), 'kh');
    if (refusal === null) expect(verdict).toEqual({ ok: true });
    else expect(verdict.ok ? 'accepted' : verdict.reason).toMatch(refusal);
  });

  it('prints fingerprints as ssh-keygen -l does', () => {
    expect(fingerprintOf(blob(KEY_A))).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe('SSH settings', () => {
  const where = { env: {}, home: '/home/op', cwd: '/repo' };
  it.each<[string, PlatformOutputs, object, Record<string, string>, object]>([
    [
      'aws defaults to ~/.ssh',
      awsOutputs(),
      {},
      {},
      { privateKeyFile: '/home/op/.ssh/id_ed25519', hostKey: { kind: 'known-hosts', file: '/home/op/.ssh/known_hosts' } },
    ],
    [
      'local defaults to .rehearsal/ssh',
      testOutputs(),
      {},
      {},
      { privateKeyFile: '/repo/.rehearsal/ssh/id_ed25519', hostKey: { kind: 'known-hosts', file: '/repo/.rehearsal/ssh/known_hosts' } },
    ],
    [
      'the environment wins over defaults',
      testOutputs(),
      {},
      { CHAOS_SSH_KEY: '~/k', CHAOS_SSH_KNOWN_HOSTS: 'kh' },
      { privateKeyFile: '/home/op/k', hostKey: { kind: 'known-hosts', file: '/repo/kh' } },
    ],
    [
      'arguments win over the environment',
      awsOutputs(),
      { privateKey: '/a/k', knownHosts: '/a/kh' },
      { CHAOS_SSH_KEY: '/env/k' },
      { privateKeyFile: '/a/k', hostKey: { kind: 'known-hosts', file: '/a/kh' } },
    ],
    [
      'a pinned fingerprint replaces known_hosts',
      awsOutputs(),
      { hostKeyFingerprint: 'SHA256:x' },
      {},
      { hostKey: { kind: 'fingerprint', fingerprint: 'SHA256:x' } },
    ],
  ])('%s', (_name, outputs, args, env, expected) => {
    const settings = resolveSshSettings({ connectTimeoutMs: 1000, ...args }, outputs, { ...where, env }, SSH_KEY_DIRS[outputs.target]);
    expect(settings).toMatchObject({ host: '127.0.0.1', port: 2222, user: 'ec2-user', ...expected });
  });
});

import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// .github/deploy/ensure-images.sh against stand-ins for the AWS CLI and docker that record their
// calls: HAVE lists the repositories that hold the tag.
const script = resolve(__dirname, '../../.github/deploy/ensure-images.sh');

function run(args: string[], have: string[]) {
  const bin = mkdtempSync(join(tmpdir(), 'ensure-images-'));
  const log = join(bin, 'calls.log');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub(
    'aws',
    `case "$2" in
       describe-images) for r in $HAVE; do [ "$r" = "$4" ] && exit 0; done; exit 254 ;;
       describe-repositories) echo "123456789012.dkr.ecr.eu-west-1.amazonaws.com/$4" ;;
     esac`,
  );
  stub('docker', 'exit 0');
  writeFileSync(log, '');
  const r = spawnSync('bash', [script, ...args], {
    env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, HAVE: have.join(' ') },
    encoding: 'utf8',
  });
  return { ...r, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

const all = (env: string) => ['frontend', 'api', 'proxy'].map((s) => `platform-${env}/${s}`);

describe('ensure-images.sh: the images are in the registry before cdktf deploy', () => {
  it('passes when every repository of the environment holds the tag, pushing nothing', () => {
    const r = run(['dev', 'abc123', 'dev'], all('dev'));
    expect(r.status).toBe(0);
    expect(r.calls.filter((c) => c.startsWith('docker'))).toEqual([]);
  });

  it('promotes what is missing from the source environment (pull, tag, push)', () => {
    const r = run(['prod', 'abc123', 'dev'], [...all('dev'), 'platform-prod/frontend']);
    expect(r.status).toBe(0);
    const registry = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';
    expect(r.calls.filter((c) => c.startsWith('docker'))).toEqual([
      `docker pull ${registry}/platform-dev/api:abc123`,
      `docker tag ${registry}/platform-dev/api:abc123 ${registry}/platform-prod/api:abc123`,
      `docker push ${registry}/platform-prod/api:abc123`,
      `docker pull ${registry}/platform-dev/proxy:abc123`,
      `docker tag ${registry}/platform-dev/proxy:abc123 ${registry}/platform-prod/proxy:abc123`,
      `docker push ${registry}/platform-prod/proxy:abc123`,
    ]);
  });

  it('fails naming each missing image when there is nothing to promote from', () => {
    const r = run(['dev', 'abc123', 'dev'], ['platform-dev/api']);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/no image platform-dev\/frontend:abc123 platform-dev\/proxy:abc123: push the images first/);
  });

  it('is a usage error without an environment and a tag', () => expect(run(['dev'], []).status).toBe(2));
});

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sameConfiguration } from '../../review/unchanged';
import { Timings } from '../../review/timings';

const work = mkdtempSync(join(tmpdir(), 'unchanged-test-'));
let n = 0;
function stackDir(config: object, extra: Record<string, string> = {}): string {
  const dir = join(work, String(n++));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cdk.tf.json'), JSON.stringify(config));
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
  return dir;
}
const config = (path: string, instanceType = 't3.small') => ({
  terraform: { backend: { local: { path } }, required_providers: {} },
  resource: { aws_launch_template: { t: { instance_type: instanceType } } },
});

describe('sameConfiguration', () => {
  it('is true for the same configuration synthesized in another directory (the backend path differs)', () =>
    expect(sameConfiguration(stackDir(config('/a/base-src/terraform.dev.tfstate')), stackDir(config('/b/terraform.dev.tfstate')))).toBe(
      true,
    ));

  it('ignores what Terraform and the review write into the directory', () =>
    expect(sameConfiguration(stackDir(config('/a')), stackDir(config('/b'), { 'offline_override.tf.json': '{}', 'head.plan': 'x' }))).toBe(
      true,
    ));

  it.each([
    ['a resource argument', stackDir(config('/b', 't3.medium'))],
    ['an asset file', stackDir(config('/b'), { 'asset.txt': 'x' })],
  ])('is false when %s differs', (_, head) => expect(sameConfiguration(stackDir(config('/a')), head)).toBe(false));

  it('is false for a stack the base does not have', () =>
    expect(sameConfiguration(join(work, 'none'), stackDir(config('/a')))).toBe(false));
});

describe('Timings', () => {
  it('times each step of a lane until the next one starts, and renders a table', () => {
    let now = 0;
    const clock = new Timings(() => now);
    clock.step('review', 'synth');
    now = 1500;
    clock.step('dev', 'init');
    clock.step('review', 'other');
    now = 4000;
    clock.end('dev');
    clock.end('review');
    const text = clock.render();
    expect(text).toContain('Where the time went: 4.0 s in all');
    expect(text).toContain('| review: synth | 1.5 |\n| dev: init | 2.5 |\n| review: other | 2.5 |');
  });
});

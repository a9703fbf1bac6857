import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app';
import { parseConfig } from '../../stacks/config';

const config = parseConfig({ environments: [{ name: 'dev', region: 'eu-west-1' }] }, 'test-config.json');

describe('each synth clears the files of the stacks it writes', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'app-synth-'));
  const dev = join(outdir, 'stacks', 'dev');
  /**
   * HCL the way `cdktf synth --hcl` asks for it: SYNTH_HCL_OUTPUT while the app is built. (cdktf 0.21's
   * App option hclOutput names the file cdk.tf but its stacks still write JSON into it.)
   */
  const synth = (hcl: boolean) => {
    const before = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = String(hcl);
    try {
      buildApp(config, { outdir }).app.synth();
    } finally {
      if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = before;
    }
  };
  // What Terraform and an operator keep in a stack folder, and a folder of a stack no longer configured.
  const kept = ['.terraform/providers/x', '.terraform.lock.hcl', 'offline_override.tf.json', 'offline.tfstate', 'plan.bin'];
  const listing = () => readdirSync(dev).sort();

  beforeAll(() => {
    synth(false);
    for (const file of kept) {
      mkdirSync(join(dev, file, '..'), { recursive: true });
      writeFileSync(join(dev, file), '');
    }
    mkdirSync(join(outdir, 'stacks', 'retired'));
    writeFileSync(join(outdir, 'stacks', 'retired', 'cdk.tf.json'), '{}');
  });

  it('leaves only cdk.tf (and its metadata) after an HCL synth over a JSON one', () => {
    synth(true);
    expect(readFileSync(join(dev, 'cdk.tf'), 'utf8')).toMatch(/^terraform \{/m);
    expect(listing()).toEqual([
      '.terraform',
      '.terraform.lock.hcl',
      'cdk.tf',
      'metadata.json',
      'offline.tfstate',
      'offline_override.tf.json',
      'plan.bin',
    ]);
  });

  it('leaves only cdk.tf.json after a JSON synth over an HCL one', () => {
    synth(false);
    expect(listing()).toEqual([
      '.terraform',
      '.terraform.lock.hcl',
      'cdk.tf.json',
      'offline.tfstate',
      'offline_override.tf.json',
      'plan.bin',
    ]);
  });

  it("keeps Terraform's and the operator's files, and folders of stacks it does not synthesize", () => {
    for (const file of kept) expect(existsSync(join(dev, file))).toBe(true);
    expect(existsSync(join(outdir, 'stacks', 'retired', 'cdk.tf.json'))).toBe(true);
  });
});

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { SynthError, synth, synthEnvironment } from '../../stacks/fast-synth';

const root = resolve(__dirname, '../..');

describe('the environment npm run synth gives the app (what cdktf synth sets)', () => {
  const config = { app: 'true', terraformModules: ['./modules/a', 'terraform-aws-modules/vpc/aws', { source: '../b' }] };
  const env = synthEnvironment({ PATH: '/bin', TF_VAR_secret: 'x', CDKTF_CONTEXT_JSON: '{"k":"v"}' }, '/abs/out', config);

  it.each([
    ['CDKTF_OUTDIR', '/abs/out'],
    ['CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS', 'true'],
    ['SYNTH_HCL_OUTPUT', 'false'],
    ['NODE_OPTIONS', '--max-old-space-size=4096'],
    ['PATH', '/bin'],
  ])('%s = %s', (key, value) => expect(env[key]).toBe(value));

  it('drops TF_VAR_* (execution-time values, never synth input)', () => expect(env.TF_VAR_secret).toBeUndefined());

  it('keeps the given context and adds the relative modules only', () =>
    expect(JSON.parse(env.CDKTF_CONTEXT_JSON ?? '')).toEqual({ k: 'v', cdktfRelativeModules: ['./modules/a', { source: '../b' }] }));

  it('leaves a NODE_OPTIONS that is set alone', () =>
    expect(synthEnvironment({ NODE_OPTIONS: '--inspect' }, '/o', config).NODE_OPTIONS).toBe('--inspect'));
});

describe('npm run synth around an app (a stand-in app writing a manifest)', () => {
  /** A project whose app writes the given stacks and annotations, and the env it saw. */
  function project(stacks: Record<string, { level: string; message: string }[]>, exitCode = 0): string {
    const dir = mkdtempSync(join(tmpdir(), 'fast-synth-'));
    writeFileSync(
      join(dir, 'app.js'),
      `const fs = require('fs'), path = require('path'); const out = process.env.CDKTF_OUTDIR;
       fs.writeFileSync(path.join(${JSON.stringify(dir)}, 'env.json'), JSON.stringify(process.env));
       const stacks = ${JSON.stringify(stacks)}; const manifest = { version: '0.21.0', stacks: {} };
       for (const [name, annotations] of Object.entries(stacks)) {
         fs.mkdirSync(path.join(out, 'stacks', name), { recursive: true });
         fs.writeFileSync(path.join(out, 'stacks', name, 'cdk.tf.json'), '{}');
         manifest.stacks[name] = { name, annotations: annotations.map((a) => ({ constructPath: name + '/x', ...a })) };
       }
       fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest));
       process.exit(${exitCode});`,
    );
    writeFileSync(join(dir, 'cdktf.json'), JSON.stringify({ app: 'node app.js', output: 'out' }));
    return dir;
  }

  it("runs the app into cdktf.json's output, resolved, with TF_VAR_* removed; names the stacks", () => {
    const dir = project({ dev: [], prod: [] });
    const result = synth(dir, { env: { ...process.env, TF_VAR_x: '1' } });
    expect(result.stacks).toEqual(['dev', 'prod']);
    const seen = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as Record<string, string>;
    expect(seen.CDKTF_OUTDIR).toBe(join(dir, 'out'));
    expect(seen.TF_VAR_x).toBeUndefined();
  });

  it('prints warnings as the CLI does, and fails on an error annotation with its message', () => {
    const warned = project({ dev: [{ level: '@cdktf/warn', message: 'careful' }] });
    expect(synth(warned).annotations).toEqual(['WARN [dev/x]: careful']);
    const failed = project({ dev: [{ level: '@cdktf/error', message: 'policy says no' }] });
    expect(() => synth(failed)).toThrow(/ERROR \[dev\/x\]: policy says no/);
  });

  it('removes the folder of a stack no longer synthesized (as cdktf synth does), and only that', () => {
    const dir = project({ dev: [] });
    mkdirSync(join(dir, 'out', 'stacks', 'retired'), { recursive: true });
    mkdirSync(join(dir, 'out', 'stacks', 'dev', '.terraform'), { recursive: true });
    expect(synth(dir).removed).toEqual([join(dir, 'out', 'stacks', 'retired')]);
    expect(readdirSync(join(dir, 'out', 'stacks'))).toEqual(['dev']);
    expect(existsSync(join(dir, 'out', 'stacks', 'dev', '.terraform'))).toBe(true);
  });

  it('fails when the app fails or writes no manifest', () => {
    expect(() => synth(project({ dev: [] }, 3))).toThrow(SynthError);
    const silent = mkdtempSync(join(tmpdir(), 'fast-synth-'));
    writeFileSync(join(silent, 'cdktf.json'), JSON.stringify({ app: 'true' }));
    expect(() => synth(silent)).toThrow(/did not call synth\(\): no .*manifest\.json/);
  });
});

describe('npm run synth writes exactly what cdktf synth writes (the real CLI, once)', () => {
  const files = (dir: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const walk = (d: string) =>
      readdirSync(d).forEach((f) =>
        statSync(join(d, f)).isDirectory() ? walk(join(d, f)) : (out[relative(dir, join(d, f))] = readFileSync(join(d, f), 'utf8')),
      );
    walk(dir);
    return out;
  };
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: '1' };
  // cdktf asks `terraform version`; a TF_CLI_CONFIG_FILE naming a missing file only makes it warn.
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) env.TF_CLI_CONFIG_FILE = '/dev/null';

  it('the same stacks, the same files, byte for byte', () => {
    const fast = mkdtempSync(join(tmpdir(), 'synth-fast-'));
    const cli = mkdtempSync(join(tmpdir(), 'synth-cli-'));
    execFileSync('npm', ['run', '-s', 'synth', '--', '--output', fast], { cwd: root, env, stdio: 'pipe' });
    execFileSync(process.execPath, [join(root, 'node_modules/cdktf-cli/bundle/bin/cdktf'), 'synth', '--output', cli], {
      cwd: root,
      env,
      stdio: 'pipe',
    });
    const [a, b] = [files(fast), files(cli)];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a)).toEqual(expect.arrayContaining(['manifest.json', join('stacks', 'dev', 'cdk.tf.json')]));
    for (const name of Object.keys(b)) expect([name, a[name]]).toEqual([name, b[name]]);
  });
});

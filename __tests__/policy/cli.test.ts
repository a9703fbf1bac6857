import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../review/policy-cli';
import { RULES } from '../../stacks/policy/rules';
import { RULES_MD_COMMAND, renderRulesMarkdown } from '../../stacks/policy/rule-table';
import { PLATFORM_SUPPRESSIONS } from '../../stacks/policy/suppressions';

const root = resolve(__dirname, '../..');

/** Runs `main` in-process, capturing its output. */
function run(argv: readonly string[], env: NodeJS.ProcessEnv = {}) {
  let out = '';
  let err = '';
  const status = main(argv, { out: (t) => (out += t), err: (t) => (err += t) }, env);
  return { status, out, err };
}

interface Exited {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as `npm run policy` does: `node --import tsx review/policy-cli.ts`. */
function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Exited> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'review/policy-cli.ts', ...args],
      { cwd: root, env: { ...process.env, PLATFORM_CONFIG: '', ...env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function configFile(document: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), 'policy-cli-')), 'environments.json');
  writeFileSync(file, JSON.stringify(document));
  return file;
}

describe('npm run policy (as a process)', () => {
  // Started together: each process compiles and synthesizes on its own.
  const sshOpen = configFile({ environments: [{ name: 'dev', region: 'eu-west-1', sshCidrs: ['0.0.0.0/0'] }] });
  let results: { clean: Exited; ssh: Exited; usage: Exited };
  beforeAll(async () => {
    const [clean, ssh, usage] = await Promise.all([spawnCli([]), spawnCli([], { PLATFORM_CONFIG: sshOpen }), spawnCli(['--bogus'])]);
    results = { clean, ssh, usage };
  });

  it('exits 0 on the default config and prints every rule per stack and the count', () => {
    const { code, stdout } = results.clean;
    expect(code).toBe(0);
    expect(stdout).toMatch(/^stack dev$/m);
    expect(stdout).toMatch(/^stack prod$/m);
    expect(stdout).toMatch(/^ {2}pass {8}ssh-not-open-to-world/m);
    expect(stdout).toMatch(/^ {2}suppressed {2}ecr-tags-immutable[\s\S]*suppressed \(registry\): The release flow retags `latest`/m);
    expect(stdout).toMatch(/synth: every stack synthesized with the policy enforced/);
    expect(stdout.trim().split('\n').pop()).toBe(`${RULES.length} rules: ${RULES.length} passed (2 suppressed) on dev, prod`);
  });

  it('exits 1 naming the rule when PLATFORM_CONFIG opens SSH to the world', () => {
    const { code, stdout } = results.ssh;
    expect(code).toBe(1);
    expect(stdout).toMatch(/^ {2}FAIL {8}ssh-not-open-to-world +SSH is not open to the world \(checkov CKV_AWS_24; trivy AVD-AWS-0107\)$/m);
    expect(stdout).toMatch(/^ {2}FAIL {8}public-ingress-only-web-ports +.+ \(no checkov or trivy equivalent\)$/m);
    expect(stdout).toMatch(
      /- dev\/security-groups\/ssh-in-0 \(aws_vpc_security_group_ingress_rule\.[\w-]+\): SSH \(port 22\) is reachable from 0\.0\.0\.0\/0/,
    );
    expect(stdout).toMatch(/synth: skipped/);
    expect(stdout).toMatch(/ 2 failed on dev$/m);
  });

  it('exits 2 with one line and no stack trace on a usage error', () => {
    expect(results.usage.code).toBe(2);
    expect(results.usage.stderr).toMatch(/^policy: Unknown option '--bogus'.*\(see --help\)\n$/);
  });
});

describe('policy CLI (in process)', () => {
  it('--list prints the rule table, at least 20 rules', () => {
    const { status, out } = run(['--list']);
    const lines = out.trim().split('\n');
    expect(status).toBe(0);
    expect(lines[0]).toMatch(/^ID +SEVERITY +CHECKOV +TRIVY +TITLE$/);
    const rows = lines.filter((l) => /^[a-z0-9-]+ +(error|warning) /.test(l));
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(rows).toContainEqual(
      expect.stringMatching(/^ssh-not-open-to-world +error +CKV_AWS_24 +AVD-AWS-0107 +SSH is not open to the world$/),
    );
  });

  it('prints help', () => {
    const { status, out } = run(['--help']);
    expect(status).toBe(0);
    expect(out).toMatch(/^usage: npm run policy/);
    expect(out).toMatch(/exit status: 0 passed, 1 an unsuppressed error finding, 2 usage or config error/);
  });

  it.each([
    [['--markdown'], /^policy: --markdown only goes with --list\n$/],
    [['extra'], /^policy: Unexpected argument 'extra'/],
    [['--config', '/nonexistent/platform.json'], /^policy: \/nonexistent\/platform\.json: cannot read the platform config \(ENOENT\)/],
  ])('exits 2 on %j with one line', (argv, message) => {
    const { status, err } = run(argv);
    expect(status).toBe(2);
    expect(err).toMatch(message);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 with one line on an invalid config', () => {
    const file = configFile({ environments: [{ name: 'Dev', region: 'nowhere' }] });
    const { status, err } = run([], { PLATFORM_CONFIG: file });
    expect(status).toBe(2);
    expect(err).toMatch(/name: got "Dev".*; .*region: got "nowhere"/);
    expect(err.trim().split('\n')).toHaveLength(1);
  });

  it('--list --markdown prints RULES.md, which is committed and in step', () => {
    const { status, out } = run(['--list', '--markdown']);
    expect(status).toBe(0);
    expect(out).toBe(renderRulesMarkdown(RULES, PLATFORM_SUPPRESSIONS));
    const committed = readFileSync(join(root, 'stacks/policy/RULES.md'), 'utf8');
    if (committed !== out) throw new Error(`stacks/policy/RULES.md is out of step with the rules: regenerate it with ${RULES_MD_COMMAND}`);
    for (const rule of RULES) expect(out).toContain(`| \`${rule.id}\` | ${rule.severity} |`);
    for (const s of PLATFORM_SUPPRESSIONS) expect(out).toContain(s.reason.replace(/\|/g, '\\|'));
  });
});

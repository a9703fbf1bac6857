import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { z } from 'zod';
import { OfflineTerraform, TerraformCommandError, TerraformUnavailableError, offlineTerraform, terraform } from './terraform';
import { PreparedWhatIf, initOffline, planHead, prepareWhatIf, runWhatIf } from './what-if';
import { Timings } from './timings';
import { sameConfiguration } from './unchanged';
import { reviewChanges } from './changes';
import { StackReview, renderPolicies, renderStackReview } from './markdown';
import { parsePlan } from './plan-json';
import { parseJson } from './parse-json';
import { PolicySummary } from './markdown';
import { buildApp } from '../stacks/app';
import { loadConfig } from '../stacks/config';
import { PolicyReport } from '../stacks/policy/evaluate';
import { costDelta } from './cost';
import { GateKind, GateUsageError, gateFailures, parseFailOn, renderGate } from './gate';
import { readStackConfig } from './stack-config';

/** Bad input: the message is one line that says what to do. The CLI exits 2. */
class ReviewUsageError extends Error {}

interface ReviewOptions {
  readonly base: string;
  readonly out?: string;
  readonly stacks?: readonly string[];
  readonly live: boolean;
  readonly quiet: boolean;
  readonly failOn: readonly GateKind[];
  /** How many stacks are planned at once. */
  readonly parallel: number;
}

const root = resolve(__dirname, '..');

/** The part of cdktf.json the review reads: the command that synthesizes the app. */
const cdktfJsonSchema = z.looseObject({ app: z.string() });

function appCommand(dir: string): string {
  const file = join(dir, 'cdktf.json');
  if (!existsSync(file)) throw new ReviewUsageError(`${dir} has no cdktf.json: is the base ref a commit of this project?`);
  return parseJson(cdktfJsonSchema, readFileSync(file, 'utf8'), file, 'cdktf.json').app;
}

/** Runs the cdktf app found in `srcDir` (its own cdktf.json), writing stacks under `outDir`. */
function synthesize(srcDir: string, outDir: string): string[] {
  execFileSync('sh', ['-c', appCommand(srcDir)], {
    cwd: srcDir,
    env: { ...process.env, CDKTF_OUTDIR: outDir, PLATFORM_POLICY: 'report' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return readdirSync(join(outDir, 'stacks')).sort();
}

/** The head's policy results, as the review shows them. */
function policySummary(report: PolicyReport): PolicySummary {
  return {
    rules: report.results.length,
    failures: report.results
      .filter((r) => r.status === 'failed' || r.status === 'warned')
      .flatMap((r) =>
        r.findings.map((f) => ({
          rule: `${r.rule.id}${r.status === 'warned' ? ' (warning)' : ''}`,
          resource: f.subject,
          message: f.message,
          warning: r.status === 'warned',
        })),
      ),
    // One line per rule and reason, however many resources the suppression covers.
    suppressed: report.results.flatMap((r) =>
      [...new Set(r.suppressed.map((s) => s.suppression.reason))].map((reason) => ({ rule: r.rule.id, reason })),
    ),
  };
}

/**
 * Synthesizes the working tree in-process, with the policy reporting instead of stopping synth (a
 * violation is what the review is there to show), and returns each stack's policy summary.
 */
function synthesizeHead(outDir: string): Map<string, PolicySummary> {
  const { app, stacks } = buildApp(loadConfig(), { outdir: outDir, skipPolicy: true });
  app.synth();
  return new Map(stacks.map((s) => [s.node.id, policySummary(s.policy.report())]));
}

function git(args: readonly string[]): string {
  return execFileSync('git', [...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

/** The commits compared, so a comment says what it reviewed even after more pushes. */
export function revisions(base: string): string {
  let baseSha: string;
  try {
    baseSha = git(['rev-parse', '--verify', '--quiet', `${base}^{commit}`]);
  } catch {
    throw new ReviewUsageError(`--base ${base}: not a commit in this repository (try a branch, tag or sha, e.g. origin/main)`);
  }
  const headSha = git(['rev-parse', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--untracked-files=no']) !== '';
  return `Base \`${base}\`${base === baseSha ? '' : ` at \`${baseSha}\``} · head \`${headSha}\`${dirty ? ' with uncommitted changes' : ''}`;
}

/** Checks the base ref out in a temporary worktree (sharing node_modules) and synthesizes it. */
function synthesizeRef(ref: string, work: string): string[] {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { cwd: root, stdio: 'ignore' });
  } catch {
    throw new ReviewUsageError(`--base ${ref}: not a commit in this repository (try a branch, tag or sha, e.g. origin/main)`);
  }
  const src = join(work, 'base-src');
  execFileSync('git', ['worktree', 'add', '--detach', '--force', src, ref], { cwd: root, stdio: 'ignore' });
  try {
    symlinkSync(join(root, 'node_modules'), join(src, 'node_modules'));
    return synthesize(src, join(work, 'base'));
  } finally {
    execFileSync('git', ['worktree', 'remove', '--force', src], { cwd: root, stdio: 'ignore' });
  }
}

/** The AWS provider's region in a synthesized stack, for the price table. */
export function stackRegion(dir: string): string {
  const region = readStackConfig(dir).provider?.aws?.[0]?.region;
  return typeof region === 'string' ? region : 'an unknown region';
}

/** How a stack is reviewed: not at all (its configuration is the base's), a what-if, a create-only plan, or live. */
type Plan =
  | { readonly stack: string; readonly how: 'unchanged' }
  | { readonly stack: string; readonly how: 'what-if'; readonly prepared: PreparedWhatIf }
  | { readonly stack: string; readonly how: 'new'; readonly statePath: string }
  | { readonly stack: string; readonly how: 'live' };

/** Runs `run` over `items`, at most `limit` at a time, keeping the order of the results. */
async function bounded<T, R>(items: readonly T[], limit: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function planStack(tf: OfflineTerraform, work: string, p: Plan, say: (m: string) => void): Promise<StackReview> {
  const headDir = join(work, 'head', 'stacks', p.stack);
  switch (p.how) {
    case 'unchanged':
      return { stack: p.stack, mode: 'unchanged', changes: [] };
    case 'live': {
      say('terraform plan with your credentials and backend');
      await terraform(tf, headDir, ['plan', '-input=false', '-no-color', '-out=live.plan']);
      const plan = parsePlan(await terraform(tf, headDir, ['show', '-json', 'live.plan']), join(headDir, 'live.plan'));
      return { stack: p.stack, mode: 'live', changes: reviewChanges(plan), cost: costDelta(plan, stackRegion(headDir)) };
    }
    case 'what-if':
    case 'new': {
      const { plan, unvouched } =
        p.how === 'what-if'
          ? await runWhatIf(tf, p.prepared, say)
          : { plan: await planHead(tf, headDir, p.statePath, undefined, say), unvouched: [] };
      return { stack: p.stack, mode: 'what-if', changes: reviewChanges(plan), cost: costDelta(plan, stackRegion(headDir)), unvouched };
    }
  }
}

/** `npm run review`: what a change does to each stack, as Markdown for a pull-request comment. */
async function review(options: ReviewOptions): Promise<{ body: string; failed: boolean }> {
  const log = (m: string) => options.quiet || process.stderr.write(`${m}\n`);
  const clock = new Timings();
  const work = mkdtempSync(join(tmpdir(), 'plan-review-'));
  try {
    log(`synthesizing the working tree and ${options.base}`);
    clock.step('review', 'synth the working tree');
    const policies = synthesizeHead(join(work, 'head'));
    const headStacks = [...policies.keys()].sort();
    clock.step('review', `synth ${options.base}`);
    const baseStacks = options.live ? [] : synthesizeRef(options.base, work);
    clock.end('review');
    const wanted = options.stacks?.length ? options.stacks : headStacks;
    const unknown = wanted.filter((s) => !headStacks.includes(s));
    if (unknown.length) throw new ReviewUsageError(`--stack ${unknown.join(', ')}: not in the head (stacks: ${headStacks.join(', ')})`);
    const tf = offlineTerraform(join(work, 'cli'));
    // Every init first, one at a time (see prepareWhatIf); then the plans, several stacks at once.
    const plans: Plan[] = [];
    for (const stack of wanted) {
      const baseDir = join(work, 'base', 'stacks', stack);
      const headDir = join(work, 'head', 'stacks', stack);
      const say = (m: string) => {
        clock.step(stack, m);
        log(`[${stack}] ${m}`);
      };
      if (options.live) {
        say('terraform init with your backend');
        await terraform(tf, headDir, ['init', '-input=false', '-no-color']);
        plans.push({ stack, how: 'live' });
      } else if (!baseStacks.includes(stack)) {
        say('terraform init (new stack)');
        plans.push({ stack, how: 'new', statePath: await initOffline(tf, headDir) });
      } else if (sameConfiguration(baseDir, headDir)) {
        log(`[${stack}] configuration unchanged: not planned`);
        plans.push({ stack, how: 'unchanged' });
      } else plans.push({ stack, how: 'what-if', prepared: await prepareWhatIf(tf, baseDir, headDir, say) });
      clock.end(stack);
    }
    const reviews = await bounded(plans, options.parallel, async (p) => {
      const say = (m: string) => {
        clock.step(p.stack, m);
        log(`[${p.stack}] ${m}`);
      };
      const r = await planStack(tf, work, p, say);
      clock.end(p.stack);
      return r;
    });
    const removed = baseStacks.filter((s) => !headStacks.includes(s));
    const body = [
      `# Infrastructure review: \`${options.base}\` → working tree`,
      '',
      revisions(options.base),
      '',
      ...reviews.map((r) => renderStackReview(r, options.base)),
      renderPolicies(new Map(wanted.map((s) => [s, policies.get(s) as PolicySummary]))),
      ...removed.map(
        (s) =>
          `## Stack removed: \`${s}\`\n\nThe head no longer synthesizes this stack: \`cdktf destroy ${s}\` would delete all of its resources.\n`,
      ),
    ];
    const failures = gateFailures(reviews, policies, options.failOn);
    if (options.failOn.length > 0) body.push(renderGate(options.failOn, failures));
    body.push(clock.render());
    const text = body.join('\n');
    if (options.out) writeFileSync(options.out, text);
    return { body: text, failed: failures.length > 0 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('review')
    .description(
      'Review what a change does to the platform stacks: resources added, changed, replaced or destroyed, with downtime and security risks called out. Offline by default: the real AWS provider plans the head against a synthetic state of the base.',
    )
    .requiredOption('--base <ref>', 'git ref to compare against (e.g. origin/main)')
    .option('--out <file>', 'write the Markdown review here as well as to stdout')
    .option('--stack <name...>', 'review only these stacks (default: every stack in the head)')
    .option('--live', 'plan against the real backend with your AWS credentials instead of offline', false)
    .option('--quiet', 'no progress lines on stderr', false)
    .option('--parallel <n>', 'plan at most this many stacks at once (each what-if runs two plans side by side)', '2')
    .option(
      '--fail-on <kinds>',
      'exit 1 when the review finds any of these, comma-separated: downtime, security, data-loss (flagged risks), policy (an error-severity violation)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  npm run review -- --base origin/main --out plan-review.md\n  npm run review -- --base HEAD~1 --stack dev\n  npm run review -- --base origin/main --fail-on downtime,security,policy\n\nExit status: 0 reviewed (and no --fail-on finding), 1 a --fail-on finding or a Terraform failure, 2 usage error\n',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith('error:') ? `review: ${s}` : s) });
  try {
    program.parse([...argv], { from: 'user' });
    const o = program.opts<{
      base: string;
      out?: string;
      stack?: string[];
      live: boolean;
      quiet: boolean;
      failOn?: string;
      parallel: string;
    }>();
    const failOn = o.failOn === undefined ? [] : parseFailOn(o.failOn);
    const parallel = Number(o.parallel);
    if (!Number.isInteger(parallel) || parallel < 1)
      throw new ReviewUsageError(`--parallel ${o.parallel}: expected a whole number of stacks, 1 or more`);
    const result = await review({ base: o.base, out: o.out, stacks: o.stack, live: o.live, quiet: o.quiet, failOn, parallel });
    process.stdout.write(result.body);
    return result.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ReviewUsageError || err instanceof GateUsageError || err instanceof TerraformUnavailableError) {
      process.stderr.write(`review: ${err.message}\n`);
      return 2;
    }
    if (err instanceof TerraformCommandError) {
      process.stderr.write(`review: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}

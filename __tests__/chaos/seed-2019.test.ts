import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { runCli } from './helpers/cli-harness';
import { LocalServer } from './helpers/local-server';

/**
 * The seed's 2019 experiments (chaostoolkit 1.x files: process and http providers, env
 * configuration, pauses, a range tolerance on a process's stdout), run unchanged through the CLI.
 * A stand-in `aws` put first on PATH answers their AWS CLI calls as the healthy platform would; a
 * local server stands for the proxy.
 */

const SEED = join(__dirname, 'fixtures', 'seed-2019');
const STOP_API_TASK = join(SEED, 'stop-api-task.json');
const RESTART_PROXY = join(SEED, 'restart-proxy.json');

interface RunEntry {
  readonly activity: { readonly name: string };
  readonly status: string;
  readonly output: { readonly status?: number; readonly stdout?: string } | null;
  readonly start: string;
  readonly end: string;
  readonly tolerance_met?: boolean;
}

let server: LocalServer;
beforeAll(async () => {
  server = await new LocalServer().start();
});
afterAll(async () => server.stop());

async function workspace(): Promise<{ dir: string; log: string; env: Record<string, string | undefined> }> {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-seed-'));
  const log = join(dir, 'aws-calls.log');
  const env = {
    ...process.env,
    PATH: `${join(SEED, 'stand-ins')}${delimiter}${process.env.PATH ?? ''}`,
    AWS_REGION: undefined,
    ECS_CLUSTER: 'platform-dev',
    PROXY_URL: server.url,
    STAND_IN_LOG: log,
  };
  return { dir, log, env };
}

async function calls(log: string): Promise<string[]> {
  return existsSync(log) ? (await readFile(log, 'utf8')).trim().split('\n') : [];
}

const ms = (iso: string): number => Date.parse(iso);

describe('the seed 2019 experiments', () => {
  it('GIVEN both files THEN validate says ok, exit 0, without running anything', async () => {
    const { dir, log, env } = await workspace();
    const result = await runCli(['validate', STOP_API_TASK, RESTART_PROXY], dir, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ok .*stop-api-task\.json: "The API survives the loss of one of its tasks" \(5 activities\)$/m);
    expect(result.stdout).toMatch(/^ok .*restart-proxy\.json: "The site comes back after the proxy restarts" \(4 activities\)$/m);
    expect(await calls(log)).toEqual([]);
  });

  it('GIVEN no aws on PATH THEN validate refuses the process path, naming it, exit 2', async () => {
    const { dir, env } = await workspace();
    const result = await runCli(['validate', STOP_API_TASK], dir, { ...env, PATH: '/nonexistent' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/steady-state-hypothesis\.probes\[0\]\.provider\.path: executable "aws" is not found/);
  });

  it('GIVEN run --dry-run THEN every activity is listed with its command, tolerance and pauses, and nothing runs', async () => {
    const { dir, log, env } = await workspace();
    const result = await runCli(['run', '--dry-run', STOP_API_TASK, RESTART_PROXY], dir, env);
    expect(result.code).toBe(0);
    const out = result.stdout;
    expect(out).toContain(
      `probe "services-are-active": run aws ecs describe-services --region eu-west-1 --cluster platform-dev --services frontend api proxy --query length(services[?status=='ACTIVE']) --output text (no shell) [needs --yes]; tolerance {"type":"range","range":[2,3],"target":"stdout"}`,
    );
    expect(out).toContain(`probe "site-answers-through-the-proxy": GET ${server.url}/; tolerance 200`);
    expect(out).toMatch(/action "stop-one-api-task": run aws ecs stop-task .*--task api .*\(wait 2s after\)/);
    expect(out).toContain(`probe "api-answers-through-the-proxy": GET ${server.url}/api/healthz; tolerance 200`);
    expect(out).toMatch(/action "redeploy-the-api": run aws ecs update-service .*--service api --force-new-deployment/);
    expect(out).toMatch(/action "restart-the-proxy": run aws ecs update-service .*--service proxy .*\(wait 1s before, wait 2s after\)/);
    expect(out).toContain('dry run: nothing was done, no journal written');
    expect(await calls(log)).toEqual([]);
    expect(existsSync(join(dir, 'journals'))).toBe(false);
  });

  it('GIVEN stop-api-task run --yes on the stand-ins THEN it completes: the range on stdout met, the pause honoured, the rollback run', async () => {
    const { dir, log, env } = await workspace();
    const result = await runCli(['run', STOP_API_TASK, '--journal', 'j.json', '--quiet', '--yes'], dir, env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = JSON.parse(await readFile(join(dir, 'j.json'), 'utf8'));
    expect(journal.status).toBe('completed');
    expect(journal.deviated).toBe(false);
    for (const check of [journal.steady_states.before, journal.steady_states.after]) {
      expect(check.steady_state_met).toBe(true);
      const probes = check.probes as RunEntry[];
      expect(probes.map((p) => [p.activity.name, p.tolerance_met])).toEqual([
        ['services-are-active', true],
        ['site-answers-through-the-proxy', true],
      ]);
      expect(probes[0]?.output?.stdout).toBe('3\n');
      expect(probes[1]?.output?.status).toBe(200);
    }
    const run = journal.run as RunEntry[];
    expect(run.map((r) => [r.activity.name, r.status])).toEqual([
      ['stop-one-api-task', 'succeeded'],
      ['api-answers-through-the-proxy', 'succeeded'],
    ]);
    const [action, probe] = run;
    if (action === undefined || probe === undefined) throw new Error('two method entries expected');
    // pauses.after: 2 — the next activity starts at least 2 s after the action ended.
    expect(ms(probe.start) - ms(action.end)).toBeGreaterThanOrEqual(2000);
    // A method probe's tolerance is not checked, as chaoslib's execute_activity never looks at one:
    // no tolerance_met in the entry (chaoslib records it in the steady state only).
    expect(probe).not.toHaveProperty('tolerance_met');
    expect(probe.output?.status).toBe(200);
    expect((journal.rollbacks as RunEntry[]).map((r) => [r.activity.name, r.status])).toEqual([['redeploy-the-api', 'succeeded']]);
    // The configuration's env default (AWS_REGION unset) and the env values reached the commands.
    expect(await calls(log)).toEqual([
      "ecs describe-services --region eu-west-1 --cluster platform-dev --services frontend api proxy --query length(services[?status=='ACTIVE']) --output text",
      'ecs stop-task --region eu-west-1 --cluster platform-dev --task api --reason chaos-experiment',
      "ecs describe-services --region eu-west-1 --cluster platform-dev --services frontend api proxy --query length(services[?status=='ACTIVE']) --output text",
      'ecs update-service --region eu-west-1 --cluster platform-dev --service api --force-new-deployment',
    ]);
  }, 30_000);

  it.each([
    ['1', 'below'],
    ['4', 'above'],
  ])(
    'GIVEN the stand-in counts %s ACTIVE services (%s the range) THEN the steady state before is not met and nothing is stopped',
    async (count) => {
      const { dir, log, env } = await workspace();
      const result = await runCli(['run', STOP_API_TASK, '--journal', 'j.json', '--quiet', '--yes'], dir, {
        ...env,
        STAND_IN_ACTIVE: count,
      });
      expect(result.code).toBe(1);
      const journal = JSON.parse(await readFile(join(dir, 'j.json'), 'utf8'));
      expect(journal.status).toBe('failed');
      expect(journal.steady_states.before.steady_state_met).toBe(false);
      expect(journal.steady_states.before.probes[0].tolerance_met).toBe(false);
      expect(journal.run).toEqual([]);
      expect((await calls(log)).filter((c) => c.startsWith('ecs stop-task'))).toEqual([]);
    },
    30_000,
  );

  it('GIVEN restart-proxy run --yes THEN it completes with both pauses honoured and the ref run again', async () => {
    const { dir, log, env } = await workspace();
    const result = await runCli(['run', RESTART_PROXY, '--journal', 'j.json', '--quiet', '--yes'], dir, {
      ...env,
      AWS_REGION: 'us-east-1',
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const journal = JSON.parse(await readFile(join(dir, 'j.json'), 'utf8'));
    expect(journal.status).toBe('completed');
    const before = journal.steady_states.before.probes as RunEntry[];
    expect(before.map((p) => [p.activity.name, p.tolerance_met, p.output?.stdout ?? p.output?.status])).toEqual([
      ['proxy-is-running', true, '1\n'],
      ['site-answers', true, 200],
    ]);
    const run = journal.run as RunEntry[];
    expect(run.map((r) => [r.activity.name, r.status])).toEqual([
      ['restart-the-proxy', 'succeeded'],
      ['site-answers', 'succeeded'],
    ]);
    const [action, again] = run;
    const lastBefore = before[before.length - 1];
    if (action === undefined || again === undefined || lastBefore === undefined) throw new Error('entries expected');
    // pauses.before: 1 and pauses.after: 2.
    expect(ms(action.start) - ms(lastBefore.end)).toBeGreaterThanOrEqual(1000);
    expect(ms(again.start) - ms(action.end)).toBeGreaterThanOrEqual(2000);
    expect(journal.rollbacks).toEqual([]);
    expect(await calls(log)).toContain(
      'ecs update-service --region us-east-1 --cluster platform-dev --service proxy --force-new-deployment',
    );
  }, 30_000);
});

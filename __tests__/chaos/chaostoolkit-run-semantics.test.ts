/**
 * How a run behaves, against chaostoolkit-lib 1.x, case by case; each case names the chaoslib (or
 * requests/urllib3) source it comes from and goes through the real entry points (the engine's
 * `runExperiment` through the loader, the http provider, `withinTolerance`).
 *
 * Sources: chaoslib/run.py (`Runner._run`, `run_rollback`, `apply_rollbacks`,
 * `get_background_pools`), chaoslib/rollback.py (`run_rollbacks`), chaoslib/provider/http.py
 * (`run_http_activity`: `timeout` as requests takes it, `HTTPAdapter(max_retries=…)`),
 * requests/adapters.py (`Retry(0, read=False)` for 0, else `Retry.from_int(n)`), urllib3
 * util/retry.py (`Retry.increment`: read errors only for `allowed_methods`), chaoslib/hypothesis.py
 * (`within_tolerance`: `re.search`, `Decimal` ranges; `run_steady_state_hypothesis`, the only
 * place tolerances are checked), chaoslib/activity.py (`execute_activity`: an `ActivityFailed` is
 * recorded `failed`, nothing else is judged), chaoslib/provider/process.py (`run_process_activity`:
 * a non-zero exit is only a warning).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { undosOf } from '../../chaos/commands/rollback';
import { runHttp } from '../../chaos/engine/providers/http';
import { parseExperimentDocument } from '../../chaos/model/load-experiment';
import { renderHtmlReport } from '../../chaos/report/html';
import { renderMarkdownModel } from '../../chaos/report/markdown';
import { buildReportModel } from '../../chaos/report/report-model';
import { asReport } from './report/hand-made-journals';
import { withinTolerance } from '../../chaos/engine/tolerance';
import type { HttpProvider } from '../../chaos/model/types';
import type { JsonObject } from '../../contract/json';
import type { ActivityRun } from '../../contract/journal';
import { runDocument } from './helpers/engine-harness';
import { useLocalServer } from './helpers/local-server';
import { TEST_CATALOG } from './helpers/test-faults';

const local = useLocalServer();

const sleep = (name: string, seconds: number, background = false): JsonObject => ({
  type: 'action',
  name,
  provider: { type: 'process', path: 'sleep', arguments: [String(seconds)] },
  ...(background ? { background: true } : {}),
});
const touch = (name: string, file: string): JsonObject => ({
  type: 'action',
  name,
  provider: { type: 'process', path: 'touch', arguments: [`\${markers}/${file}`] },
});

function experiment(parts: JsonObject): JsonObject {
  return {
    title: 'Run semantics',
    description: 'd',
    configuration: { markers: { type: 'env', key: 'MARKERS' } },
    'steady-state-hypothesis': {
      title: 'Server answers',
      probes: [{ type: 'probe', name: 'health', provider: { type: 'http', url: `${local().url}/healthz`, timeout: 1 }, tolerance: 200 }],
    },
    method: [{ type: 'action', name: 'look', provider: { type: 'http', url: `${local().url}/` } }],
    rollbacks: [touch('mark rollback', 'rolled-back')],
    ...parts,
  };
}

const ms = (iso: string | null | undefined): number => Date.parse(iso ?? '');
const span = (run: ActivityRun | undefined): [number, number] => [ms(run?.start), ms(run?.end)];

describe('background rollbacks: chaoslib rollback.py run_rollbacks + run.py apply_rollbacks', () => {
  it('GIVEN two background rollbacks THEN they run at the same time, and the run waits for both (pool.shutdown(wait=True))', async () => {
    const { journal, events } = await runDocument(
      experiment({ rollbacks: [sleep('bg one', 0.6, true), sleep('bg two', 0.6, true)], 'rollback-strategy': 'always' }),
      local().url,
    );
    const [one, two] = journal.rollbacks;
    const [s1, e1] = span(one);
    const [s2, e2] = span(two);
    // Concurrent: the second started before the first ended; together well under 2 × 0.6 s.
    expect(s2).toBeLessThan(e1);
    expect(Math.max(e1, e2) - Math.min(s1, s2)).toBeLessThan(1100);
    expect(one?.duration ?? 0).toBeGreaterThanOrEqual(0.55);
    expect(two?.duration ?? 0).toBeGreaterThanOrEqual(0.55);
    // Waited for: both finished (succeeded) before the run's end.
    expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([
      ['bg one', 'succeeded'],
      ['bg two', 'succeeded'],
    ]);
    expect(ms(journal.end)).toBeGreaterThanOrEqual(Math.max(e1, e2));
    const finishedAt = events.findIndex((e) => e.type === 'run-finished');
    const lastRollback = events.map((e) => e.type === 'activity-finished' && e.phase === 'rollbacks').lastIndexOf(true);
    expect(lastRollback).toBeLessThan(finishedAt);
  });

  it('GIVEN a background rollback then a foreground one THEN the foreground starts at once, and the journal keeps the declared order', async () => {
    const { journal } = await runDocument(
      experiment({ rollbacks: [sleep('slow, background', 0.8, true), sleep('quick', 0.1)], 'rollback-strategy': 'always' }),
      local().url,
    );
    expect(journal.rollbacks.map((r) => r.activity.name)).toEqual(['slow, background', 'quick']);
    const [bgStart, bgEnd] = span(journal.rollbacks[0]);
    const [fgStart, fgEnd] = span(journal.rollbacks[1]);
    expect(fgStart - bgStart).toBeLessThan(400); // not after the background one
    expect(fgEnd).toBeLessThan(bgEnd); // ended first, listed second (declaration order, as chaoslib lists them)
    expect(ms(journal.end)).toBeGreaterThanOrEqual(bgEnd);
  });

  it('GIVEN foreground rollbacks THEN each waits for the one before (execute_activity inline)', async () => {
    const { journal } = await runDocument(
      experiment({ rollbacks: [sleep('first', 0.3), sleep('second', 0.3)], 'rollback-strategy': 'always' }),
      local().url,
    );
    expect(ms(journal.rollbacks[1]?.start)).toBeGreaterThanOrEqual(ms(journal.rollbacks[0]?.end));
  });
});

describe('verdicts of process and http activities outside the steady state: as chaostoolkit (our fault providers stay stricter)', () => {
  const refused = `http://127.0.0.1:1/`;

  it('GIVEN a failed http action (connection refused) THEN recorded failed, the method goes on, the run completed, "default" plays the rollbacks (chaoslib provider/http.py ConnectionError → ActivityFailed; activity.py execute_activity records status failed; run.py apply_activities only stops on the journal status)', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [{ type: 'action', name: 'unreachable', provider: { type: 'http', url: refused, timeout: 2 } }, touch('next', 'next')],
      }),
      local().url,
    );
    expect(journal.run.map((r) => [r.activity.name, r.status])).toEqual([
      ['unreachable', 'failed'],
      ['next', 'succeeded'],
    ]);
    expect(journal.run[0]?.exception?.[0]).toMatch(/ActivityFailedError: GET http:\/\/127\.0\.0\.1:1\/ failed/);
    expect(existsSync(join(dir, 'next'))).toBe(true);
    expect(journal).toMatchObject({ status: 'completed', deviated: false, reasons: [], rollbacks_skipped: null });
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it.each([
    ['an action', 'action'],
    ['a probe without tolerance', 'probe'],
  ] as const)(
    'GIVEN %s whose process exits 3 THEN succeeded, with its status in the output (chaoslib provider/process.py: a warning, then {status, stdout, stderr})',
    async (_what, type) => {
      const { journal, events } = await runDocument(
        experiment({
          method: [
            { type, name: 'exit-3', provider: { type: 'process', path: 'sh', arguments: ['-c', 'echo out; echo err >&2; exit 3'] } },
          ],
        }),
        local().url,
      );
      expect(journal.run[0]).toMatchObject({ status: 'succeeded', output: { status: 3, stdout: 'out\n', stderr: 'err\n' } });
      expect(journal.run[0]).not.toHaveProperty('exception');
      expect(journal).toMatchObject({ status: 'completed', reasons: [] });
      expect(events).toContainEqual(
        expect.objectContaining({
          type: 'log',
          level: 'warn',
          message: expect.stringMatching(/^exit-3: process exited with status 3: err/),
        }),
      );
    },
  );

  it('GIVEN process and http probes in the method outside their "tolerance" THEN not judged: no tolerance_met, a tolerance probe not even run, the run completed (chaoslib hypothesis.py run_steady_state_hypothesis is the only caller of within_tolerance and the only writer of tolerance_met; activity.py execute_activity ignores a tolerance)', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [
          { type: 'probe', name: 'proc', provider: { type: 'process', path: 'sh', arguments: ['-c', 'exit 1'] }, tolerance: 0 },
          { type: 'probe', name: 'web', provider: { type: 'http', url: `${local().url}/healthz` }, tolerance: 404 },
          {
            type: 'probe',
            name: 'judged',
            provider: { type: 'http', url: `${local().url}/healthz` },
            tolerance: { type: 'probe', name: 'judge', provider: { type: 'process', path: 'touch', arguments: ['${markers}/judge-ran'] } },
          },
        ],
      }),
      local().url,
    );
    expect(journal.run.map((r) => [r.activity.name, r.status, r.tolerance_met])).toEqual([
      ['proc', 'succeeded', undefined],
      ['web', 'succeeded', undefined],
      ['judged', 'succeeded', undefined],
    ]);
    for (const r of journal.run) expect(r).not.toHaveProperty('tolerance_met');
    expect(existsSync(join(dir, 'judge-ran'))).toBe(false);
    expect(journal).toMatchObject({ status: 'completed', reasons: [] });
    // The same tolerance in the steady state is judged (hypothesis.py): met there, it is recorded.
    expect(journal.steady_states.before?.probes[0]).toMatchObject({ tolerance_met: true });
  });

  it('GIVEN a process rollback that fails THEN recorded failed, and the run stays completed (chaoslib run.py run_rollback never sets the status for a rollback)', async () => {
    const { journal, events } = await runDocument(
      experiment({
        rollbacks: [
          { type: 'action', name: 'slow undo', provider: { type: 'process', path: 'sleep', arguments: ['5'], timeout: 0.3 } },
          touch('mark rollback', 'rolled-back'),
        ],
      }),
      local().url,
    );
    expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([
      ['slow undo', 'failed'],
      ['mark rollback', 'succeeded'],
    ]);
    expect(journal).toMatchObject({ status: 'completed', reasons: [] });
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'log', level: 'warn', message: expect.stringMatching(/^rollback "slow undo" failed/) }),
    );
  });

  it('GIVEN a failed fault action THEN it still stops the method and fails the run, and "default" skips the rollbacks (ours: chaostoolkit has no fault providers, so none of its verdicts changes)', async () => {
    const { journal, dir } = await runDocument(
      experiment({
        method: [{ type: 'action', name: 'refused', provider: { type: 'fault', id: 'test:refuse' } }, touch('never', 'never')],
      }),
      local().url,
    );
    expect(journal.run.map((r) => [r.activity.name, r.status])).toEqual([['refused', 'failed']]);
    expect(existsSync(join(dir, 'never'))).toBe(false);
    expect(journal).toMatchObject({ status: 'failed', reasons: ['action "refused" failed: ActivityFailedError: target refused'] });
    expect(journal.rollbacks_skipped).toMatch(/^rollback-strategy is "default" and the run failed/);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(false);
  });
});

describe('rollback strategies: chaoslib run.py run_rollback (settings runtime.rollbacks.strategy, default "default")', () => {
  it('GIVEN no strategy anywhere THEN "default": played when the run completed', async () => {
    const { journal, dir } = await runDocument(experiment({}), local().url);
    expect(journal).toMatchObject({ status: 'completed', rollback_strategy: 'default', rollbacks_skipped: null });
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN "default" and a steady state before that is not met THEN status failed, so the rollbacks are not played', async () => {
    local().mode = 'failing';
    const { journal, dir } = await runDocument(experiment({}), local().url);
    expect(journal).toMatchObject({ status: 'failed', deviated: false, run: [], rollbacks: [] });
    expect(journal.rollbacks_skipped).toMatch(/^rollback-strategy is "default" and the run failed/);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(false);
  });

  it('GIVEN "always" and a steady state before that is not met THEN they are played although the method never ran', async () => {
    local().mode = 'failing';
    const { journal, dir } = await runDocument(experiment({ 'rollback-strategy': 'always' }), local().url);
    expect(journal).toMatchObject({ status: 'failed', run: [], rollbacks_skipped: null });
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN "default" and a deviation THEN skipped (status failed); "deviated" plays them', async () => {
    const deviating = { method: [{ type: 'action', name: 'break', provider: { type: 'http', url: `${local().url}/__fail?ms=60000` } }] };
    const skipped = await runDocument(experiment(deviating), local().url);
    expect(skipped.journal).toMatchObject({ status: 'failed', deviated: true, rollbacks: [] });
    local().mode = 'healthy';
    const played = await runDocument(experiment({ ...deviating, 'rollback-strategy': 'deviated' }), local().url);
    expect(played.journal).toMatchObject({ status: 'failed', deviated: true, rollbacks_skipped: null });
    expect(existsSync(join(played.dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN "default" and an aborted run THEN played (only failed and interrupted skip them)', async () => {
    const { journal, dir } = await runDocument(
      experiment({ method: [{ type: 'action', name: 'buggy', provider: { type: 'fault', id: 'test:explode' } }] }),
      local().url,
    );
    expect(journal).toMatchObject({ status: 'aborted', rollbacks_skipped: null });
    expect(existsSync(join(dir, 'rolled-back'))).toBe(true);
  });

  it('GIVEN "default" and an interrupted run THEN skipped', async () => {
    const { journal, dir } = await runDocument(experiment({ method: [sleep('long', 30)] }), local().url, { interruptAfterMs: 400 });
    expect(journal.status).toBe('interrupted');
    expect(journal.rollbacks_skipped).toMatch(/^rollback-strategy is "default" and the run was interrupted/);
    expect(existsSync(join(dir, 'rolled-back'))).toBe(false);
  });

  it.each(['never', 'default'] as const)(
    'GIVEN "%s" and a fault that ran in a failed run THEN the fault is still undone (ours: faults are always undone); the rollbacks list follows the strategy',
    async (strategy) => {
      const { journal, dir, events } = await runDocument(
        experiment({
          method: [
            {
              type: 'action',
              name: 'mark api',
              provider: { type: 'fault', id: 'test:touch-marker', arguments: { service: 'api', marker: '${markers}/fault' } },
            },
            { type: 'action', name: 'refused', provider: { type: 'fault', id: 'test:refuse' } },
          ],
          'rollback-strategy': strategy,
        }),
        local().url,
      );
      expect(journal.status).toBe('failed');
      expect(journal.rollbacks.map((r) => [r.activity.name, r.status])).toEqual([['undo "mark api"', 'succeeded']]);
      // Progress says it in that order: the rollbacks phase, the undo, then the list skipped.
      const said = events.flatMap((e) => {
        if (e.type === 'phase-started' && e.phase === 'rollbacks') return ['rollbacks'];
        if (e.type === 'activity-finished' && e.phase === 'rollbacks') return [e.name];
        if (e.type === 'phase-skipped' && e.phase === 'rollbacks') return [`skipped: ${e.reason}`];
        if (e.type === 'log') return [e.message.replace(/:.*/, '')];
        return [];
      });
      expect(said).toEqual(['rollbacks', 'undo "mark api"', "the experiment's rollbacks are skipped"]);
      expect(journal.rollbacks_skipped).toMatch(new RegExp(`^rollback-strategy is "${strategy}"`));
      expect(existsSync(join(dir, 'rolled-back'))).toBe(false);
      // The report shows both: the undo that ran, and why the list was skipped.
      const model = buildReportModel(asReport(journal), 'j.json');
      const md = renderMarkdownModel(model);
      expect(md).toMatch(/undo "mark api"/);
      expect(md).toContain(`Skipped: rollback-strategy is "${strategy}"`);
      const html = renderHtmlReport([model]);
      const section = html.slice(html.indexOf('<h3>Rollbacks</h3>'), html.indexOf('<h3>Raw outputs</h3>'));
      expect(section).toMatch(/undo &quot;mark api&quot;|undo "mark api"/);
      expect(section).toContain('<p>Skipped: rollback-strategy is');
    },
  );
});

/** A listener whose process never accepts (blocked in Atomics.wait), its backlog filled: a connect hangs. */
async function unacceptingPort(): Promise<{ port: number; close: () => void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const s = require('net').createServer();
       s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () =>
         process.stdout.write(s.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)));`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const fillers: Socket[] = [];
  // Connect until one does not connect: the accept queue is full, and further SYNs are dropped.
  for (let i = 0; i < 10; i++) {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 300);
    });
    if (!connected) break;
  }
  return {
    port,
    close: () => {
      fillers.forEach((s) => s.destroy());
      child.kill('SIGKILL');
    },
  };
}

describe('http timeout [connect, read]: requests semantics (chaoslib provider/http.py passes the pair to requests)', () => {
  let server: Server;
  let url = '';
  const hits = new Map<string, number>();
  beforeAll(async () => {
    server = createServer((req, res) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      const drip = /^\/drip\/(\d+)\/(\d+)$/.exec(path); // n chunks, gap ms between them
      if (drip) {
        const chunks = Number(drip[1]);
        const gap = Number(drip[2]);
        res.writeHead(200, { 'content-type': 'text/plain' });
        let sent = 0;
        const next = (): void => {
          res.write('x');
          sent += 1;
          if (sent === chunks) res.end();
          else setTimeout(next, gap);
        };
        next();
      } else if (path === '/late-head') {
        setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('late'), 900);
      } else if (path === '/reset') {
        req.socket.destroy();
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => hits.clear());

  const provider = (path: string, extra: Partial<HttpProvider> = {}): HttpProvider => ({
    type: 'http',
    url: `${url}${path}`,
    method: 'GET',
    headers: {},
    verifyTls: true,
    ...extra,
  });
  const signal = new AbortController().signal;

  it('GIVEN a body that keeps coming, each gap under read THEN it succeeds although the whole takes longer than connect + read', async () => {
    const started = Date.now();
    const result = await runHttp(provider('/drip/6/250', { timeout: [0.5, 0.6] }), signal);
    expect(result).toMatchObject({ status: 200, body: 'xxxxxx' });
    expect(Date.now() - started).toBeGreaterThan(1100); // > 0.5 + 0.6: no summed deadline
  });

  it('GIVEN a gap in the body longer than read THEN a read timeout', async () => {
    await expect(runHttp(provider('/drip/2/900', { timeout: [0.5, 0.4] }), signal)).rejects.toThrow(
      /read timeout: nothing received for 400 ms/,
    );
  });

  it('GIVEN the response head later than read THEN a read timeout (requests: ReadTimeout)', async () => {
    await expect(runHttp(provider('/late-head', { timeout: [5, 0.3] }), signal)).rejects.toThrow(/read timeout/);
  });

  it('GIVEN a listener that never accepts THEN a connect timeout after connect seconds, not connect + read', async () => {
    const slow = await unacceptingPort();
    try {
      const started = Date.now();
      await expect(runHttp(provider('/', { url: `http://127.0.0.1:${slow.port}/`, timeout: [0.3, 5] }), signal)).rejects.toThrow(
        /connect timeout: no connection to 127\.0\.0\.1:\d+ within 300 ms/,
      );
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(280);
      expect(took).toBeLessThan(2000);
    } finally {
      slow.close();
    }
  });

  it('GIVEN a single number THEN it stays one deadline for the whole request (as before)', async () => {
    await expect(runHttp(provider('/drip/6/250', { timeout: 0.6 }), signal)).rejects.toThrow(/no response within 600 ms/);
  });
});

describe('http max_retries: requests HTTPAdapter(max_retries=n) → urllib3 Retry.from_int(n)', () => {
  let server: Server;
  let url = '';
  let hits = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      hits += 1;
      if (req.url === '/reset') req.socket.destroy();
      else if (req.url === '/late-head') setTimeout(() => res.writeHead(200).end('late'), 600);
      else if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('a');
        setTimeout(() => res.end('b'), 600);
      } else res.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    hits = 0;
  });
  const provider = (path: string, extra: Partial<HttpProvider> = {}): HttpProvider => ({
    type: 'http',
    url: `${url}${path}`,
    method: 'GET',
    headers: {},
    verifyTls: true,
    ...extra,
  });
  const signal = new AbortController().signal;

  it('GIVEN a connection closed before the response, GET, max_retries 2 THEN 3 attempts (read errors are retried: read is not False for n > 0)', async () => {
    await expect(runHttp(provider('/reset', { maxRetries: 2 }), signal)).rejects.toThrow(/\(after 3 attempts\)$/);
    expect(hits).toBe(3);
  });

  it('GIVEN max_retries 0 (requests: Retry(0, read=False)) THEN one attempt', async () => {
    await expect(runHttp(provider('/reset'), signal)).rejects.toThrow(/failed: /);
    expect(hits).toBe(1);
  });

  it('GIVEN a read timeout before the head, GET, max_retries 1 THEN tried again', async () => {
    await expect(runHttp(provider('/late-head', { maxRetries: 1, timeout: [1, 0.2] }), signal)).rejects.toThrow(
      /read timeout.*\(after 2 attempts\)$/,
    );
    expect(hits).toBe(2);
  });

  it('GIVEN a read error and POST (not in urllib3 allowed_methods) THEN not tried again', async () => {
    await expect(runHttp(provider('/reset', { maxRetries: 2, method: 'POST' }), signal)).rejects.toThrow(/failed: /);
    expect(hits).toBe(1);
  });

  it('GIVEN a refused connection and POST THEN tried again (connect errors: any method)', async () => {
    await expect(runHttp(provider('/', { url: 'http://127.0.0.1:1/', maxRetries: 1, method: 'POST' }), signal)).rejects.toThrow(
      /ECONNREFUSED .*\(after 2 attempts\)$/,
    );
  });

  it('GIVEN a body that stalls past read THEN not tried again (requests reads the body after urllib3 returned)', async () => {
    await expect(runHttp(provider('/stall-body', { maxRetries: 2, timeout: [1, 0.2] }), signal)).rejects.toThrow(/read timeout/);
    expect(hits).toBe(1);
  });
});

describe('tolerances: chaoslib hypothesis.py within_tolerance', () => {
  it.each<[string, string, string, boolean]>([
    // Python 3 str patterns: \d, \w, \s, \b are Unicode unless (?a)
    ['\\d matches an Arabic-Indic digit', '^\\d$', '٣', true],
    ['(?a)\\d does not', '(?a)^\\d$', '٣', false],
    ['\\w matches é', '^\\w+$', 'café', true],
    ['(?a)\\w does not', '(?a)^\\w+$', 'café', false],
    ['\\s matches a no-break space', '^a\\sb$', 'a\u00a0b', true],
    ['(?a)\\s does not', '(?a)^a\\sb$', 'a\u00a0b', false],
    ['\\b sits between é and a space', 'café\\b', 'café bar', true],
    ['\\b is not inside a Unicode word', 'caf\\b', 'café', false],
    ['(?a)\\b sees é as a non-word', '(?a)caf\\b', 'café', true],
    ['\\D is not a Unicode digit', '^\\D$', '٣', false],
    ['[\\d] in a class is Unicode too', '^[\\d]$', '٣', true],
    ['\\W is not é', '^\\W$', 'é', false],
  ])('regex: %s', (_name, pattern, value, python) => {
    expect(withinTolerance({ kind: 'regex', pattern }, value)).toBe(python);
  });

  it.each<[string, number, number, string, boolean]>([
    // Decimal(min) <= Decimal(value) <= Decimal(max): exact, for ints beyond 2^53 too
    ['2^53 + 1 is not within [2^53, 2^53]', 9007199254740992, 9007199254740992, '9007199254740993', false],
    ['2^53 is', 9007199254740992, 9007199254740992, '9007199254740992', true],
    ['a 30-digit integer above the bound', 0, 1e30, '1000000000000000000000000000001', true], // 1e30 the float is 1000000000000000019884624838656
    ['above the float 1e30', 0, 1e30, '1000000000000000019884624838657', false],
    // Decimal(0.1) is the float's exact value, 0.1000000000000000055511…, above Decimal("0.1")
    ['"0.1" is below the float 0.1', 0.1, 1, '0.1', false],
    [
      '"0.1000000000000000055511151231257827021181583404541015625" is the float 0.1',
      0.1,
      1,
      '0.1000000000000000055511151231257827021181583404541015625',
      true,
    ],
    ['"1e1" is 10', 10, 10, '1e1', true],
    ['" 7 " is 7', 7, 7, ' 7 ', true],
  ])('range: %s', (_name, lo, hi, value, python) => {
    expect(withinTolerance({ kind: 'range', lo, hi }, value)).toBe(python);
  });
});

describe('`chaos rollback` after a run that undid its faults but skipped the rollbacks list', () => {
  it('GIVEN the undo already succeeded THEN the fault is not undone again (unless --force); a failed undo is tried again', async () => {
    const doc = experiment({
      method: [
        {
          type: 'action',
          name: 'mark api',
          provider: { type: 'fault', id: 'test:touch-marker', arguments: { service: 'api', marker: '${markers}/fault' } },
        },
        { type: 'action', name: 'refused', provider: { type: 'fault', id: 'test:refuse' } },
      ],
    });
    const { journal, dir } = await runDocument(doc, local().url);
    expect(journal).toMatchObject({ status: 'failed', rollback_strategy: 'default' });
    expect(journal.rollbacks_skipped).not.toBeNull();
    const parsed = parseExperimentDocument(doc, 'exp.yaml', { catalog: TEST_CATALOG, env: { MARKERS: dir } });
    expect(undosOf(journal, parsed, false).undos).toEqual([]);
    expect(undosOf(journal, parsed, true).undos.map((u) => u.name)).toEqual(['mark api']);
    const failedUndo = { ...journal, rollbacks: journal.rollbacks.map((r) => ({ ...r, status: 'failed' as const })) };
    expect(undosOf(failedUndo, parsed, false).undos.map((u) => u.name)).toEqual(['mark api']);
  });
});

/**
 * docker/frontend/site/app.js: the page's state logic, run in Node (no browser, no nginx): what
 * the page shows for each sequence of /api/status answers and failures.
 */
import * as path from 'node:path';
import { FRONTEND_DIR } from './support/repo-paths';

/** The functions app.js exports outside a browser. */
interface StatusView {
  readonly instance: string;
  readonly version: string;
  readonly hostname: string;
  readonly taskId: string;
  readonly taskArn: string;
  readonly startedAt: string;
  readonly uptimeSeconds: number;
  readonly draining: boolean;
}
interface PageEvent {
  readonly at: Date;
  readonly kind: 'up' | 'down' | 'change';
  readonly text: string;
}
interface PageState {
  readonly phase: 'connecting' | 'up' | 'down';
  readonly current: StatusView | null;
  readonly lastOkAt: Date | null;
  readonly downSince: Date | null;
  readonly error: string | null;
  readonly change: { readonly at: Date; readonly text: string; readonly from: string; readonly to: string } | null;
  readonly events: readonly PageEvent[];
}
type PollResult = { readonly ok: true; readonly status: StatusView } | { readonly ok: false; readonly error: string };
interface FrontendApp {
  initialState(): PageState;
  parseStatus(body: unknown): StatusView;
  reduce(state: PageState, result: PollResult, now: Date): PageState;
  describe(state: PageState, now: Date): string;
  formatUptime(seconds: number): string;
  formatSeconds(ms: number): string;
}

describe('docker/frontend/site/app.js: what the page shows', () => {
  // The script exports its pure functions through CommonJS when there is no browser.
  const app: FrontendApp = require(path.join(FRONTEND_DIR, 'site', 'app.js'));

  /** A /api/status body as the API sends it. */
  const body = (instance: string, taskId: string): unknown => ({
    service: 'api',
    version: '1.0.0',
    instance,
    hostname: 'ip-10-0-0-1',
    task: { source: 'ecs-metadata', arn: `arn:aws:ecs:eu-west-1:1:task/platform/${taskId}`, id: taskId },
    startedAt: '2024-05-02T10:00:00Z',
    uptimeSeconds: 12.5,
    draining: false,
  });
  const ok = (instance: string, taskId: string): PollResult => ({ ok: true, status: app.parseStatus(body(instance, taskId)) });
  const at = (seconds: number): Date => new Date(Date.UTC(2024, 4, 2, 10, 0, seconds));
  const run = (...steps: PollResult[]): PageState =>
    steps.reduce((state, result, i) => app.reduce(state, result, at(i)), app.initialState());

  test('parseStatus keeps what the page shows and refuses anything that is not a status', () => {
    expect(app.parseStatus(body('aaaa1111bbbb2222', 'task-1'))).toEqual({
      instance: 'aaaa1111bbbb2222',
      version: '1.0.0',
      hostname: 'ip-10-0-0-1',
      taskId: 'task-1',
      taskArn: 'arn:aws:ecs:eu-west-1:1:task/platform/task-1',
      startedAt: '2024-05-02T10:00:00Z',
      uptimeSeconds: 12.5,
      draining: false,
    });
    for (const bad of [null, '<html>', {}, { instance: '' }, { instance: 7 }]) {
      expect(() => app.parseStatus(bad)).toThrow('unexpected answer from /api/status');
    }
  });

  test.each([
    [0, '0s'],
    [42.9, '42s'],
    [125, '2m 05s'],
    [3 * 3600 + 125, '3h 02m 05s'],
    [2 * 86400 + 3 * 3600 + 120, '2d 03h 02m'],
    [-5, '0s'],
  ])('formatUptime(%d) is %s', (seconds, text) => {
    expect(app.formatUptime(seconds)).toBe(text);
  });

  test('the first answer shows the instance, with no "new instance" highlight', () => {
    const state = run(ok('aaaa1111bbbb2222', 'task-1'));
    expect(state).toMatchObject({ phase: 'up', change: null, current: { instance: 'aaaa1111bbbb2222' } });
    expect(state.events.map((e) => e.text)).toEqual(['API instance aaaa1111bbbb… answered']);
    expect(app.describe(state, at(1))).toBe('API answers');
  });

  test('the same instance answering again changes nothing', () => {
    const state = run(ok('aaaa1111bbbb2222', 'task-1'), ok('aaaa1111bbbb2222', 'task-1'));
    expect(state.events).toHaveLength(1);
    expect(state.change).toBeNull();
  });

  test('an error or timeout shows "API unavailable" with the reason and for how long', () => {
    const state = run(ok('a1', 'task-1'), { ok: false, error: 'HTTP 502' }, { ok: false, error: 'no answer within 2 s' });
    expect(state).toMatchObject({ phase: 'down', error: 'no answer within 2 s', downSince: at(1) });
    expect(app.describe(state, at(4))).toBe('API unavailable for 3.0 s (no answer within 2 s)');
    expect(state.events.map((e) => e.text)).toEqual(['API unavailable: HTTP 502', 'API instance a1 answered']);
  });

  test('a new task after an outage is highlighted with the time it answered and the outage length', () => {
    const state = run(ok('a1', 'task-1'), { ok: false, error: 'HTTP 502' }, { ok: false, error: 'HTTP 502' }, ok('b2', 'task-2'));
    expect(state.phase).toBe('up');
    expect(state.change).toMatchObject({ from: 'a1', to: 'b2' });
    expect(state.change?.text).toMatch(/^New API task answered at \d\d:\d\d:\d\d after 2\.0 s unavailable$/);
    expect(state.events[0]).toMatchObject({ kind: 'change', text: expect.stringMatching(/^New API task answered at .* \(instance b2\)$/) });
  });

  test('a new process in the same task (a container restart) is told apart from a new task', () => {
    const state = run(ok('a1', 'task-1'), ok('c3', 'task-1'));
    expect(state.change?.text).toMatch(/^New API process \(same task, restarted\) answered at \d\d:\d\d:\d\d$/);
  });

  test('the same instance back after errors is reported as such, not as new', () => {
    const state = run(ok('a1', 'task-1'), { ok: false, error: 'network error' }, ok('a1', 'task-1'));
    expect(state.change).toBeNull();
    expect(state.events[0].text).toBe('Same API instance answered again after 1.0 s unavailable');
  });
});

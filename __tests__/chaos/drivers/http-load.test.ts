import { createServer, type Server } from 'node:http';
import { httpLoad, LOAD_CAPS, loadUrls } from '../../../chaos/drivers/http/load';
import { loadFigures, percentile, type LoadOutcome } from '../../../chaos/drivers/http/load-generator';
import { outputsFor } from '../helpers/outputs-fixture';
import { contextFor, runFault, targetFor } from './support/context';

describe('http:load arguments: hard caps, paths on the public URL only', () => {
  const ok = { rate: 10, durationSeconds: 1 };
  it.each<[string, unknown, boolean]>([
    ['rate and duration (default path, concurrency)', ok, true],
    ['paths, concurrency and a timeout', { ...ok, paths: ['/api/status', '/'], concurrency: 5, timeoutMs: 1000 }, true],
    ['the caps exactly', { rate: LOAD_CAPS.rate, concurrency: LOAD_CAPS.concurrency, durationSeconds: LOAD_CAPS.durationSeconds }, true],
    ['no rate', { durationSeconds: 1 }, false],
    ['no duration', { rate: 1 }, false],
    ['a rate over the cap', { ...ok, rate: LOAD_CAPS.rate + 1 }, false],
    ['a concurrency over the cap', { ...ok, concurrency: LOAD_CAPS.concurrency + 1 }, false],
    ['a duration over the cap', { ...ok, durationSeconds: LOAD_CAPS.durationSeconds + 1 }, false],
    ['a zero rate', { ...ok, rate: 0 }, false],
    ['a fractional concurrency', { ...ok, concurrency: 1.5 }, false],
    ['a timeout over 30 s', { ...ok, timeoutMs: 30_001 }, false],
    ['too many paths', { ...ok, paths: Array.from({ length: LOAD_CAPS.paths + 1 }, (_, i) => `/p${i}`) }, false],
    ['no path', { ...ok, paths: [] }, false],
    ['an absolute URL as a path', { ...ok, paths: ['http://example.com/'] }, false],
    ['a scheme-relative path (another host)', { ...ok, paths: ['//example.com/x'] }, false],
    ['a backslash path (another host to URL)', { ...ok, paths: ['/\\example.com/x'] }, false],
    ['a path with a space', { ...ok, paths: ['/a b'] }, false],
    ['a url argument', { ...ok, url: 'http://127.0.0.1:1/' }, false],
    ['accepted statuses', { ...ok, acceptStatuses: [200, 429, 503] }, true],
    ['no accepted status', { ...ok, acceptStatuses: [] }, false],
  ])('%s', (_name, args, valid) => {
    expect(httpLoad.bind(args).ok).toBe(valid);
  });

  it('loads the public URL only, and says so in a dry run', () => {
    const outputs = outputsFor('http://127.0.0.1:8099');
    expect(loadUrls({ paths: ['/api/status', '/x?y=1'] }, outputs)).toEqual([
      'http://127.0.0.1:8099/api/status',
      'http://127.0.0.1:8099/x?y=1',
    ]);
    const bound = httpLoad.bind({ rate: 50, durationSeconds: 10 });
    if (!bound.ok) throw new Error('bad arguments');
    expect(bound.bound.describe(targetFor(outputs))).toBe(
      'GET http://127.0.0.1:8099/api/status at 50 requests/s, at most 20 in flight, for 10 s, from this machine',
    );
    expect(bound.bound.destructive).toBe(true);
    expect(bound.bound.rollback).toBeNull();
  });
});

describe('load figures', () => {
  const answered = (status: number, latencyMs: number, instance: string | null = null): LoadOutcome => ({
    kind: 'answered',
    status,
    latencyMs,
    instance,
  });

  it('nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 95), percentile(sorted, 100)]).toEqual([50, 95, 100]);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it('counts each status class, errors apart from timeouts, and rates over the window', () => {
    const outcomes: LoadOutcome[] = [
      answered(200, 10, 'a'),
      answered(204, 20, 'a'),
      answered(429, 1),
      answered(429, 2),
      answered(503, 3),
      answered(502, 4),
      answered(500, 5, 'b'),
      { kind: 'timeout', latencyMs: 100, message: 'no response within 100 ms' },
      { kind: 'error', latencyMs: 1, message: 'ECONNREFUSED 127.0.0.1:1' },
      { kind: 'error', latencyMs: 1, message: 'ECONNREFUSED 127.0.0.1:1' },
    ];
    expect(loadFigures(outcomes, { rate: 20 }, 2000, 3)).toEqual({
      sent: 10,
      notSent: 3,
      counts: { '2xx': 2, '429': 2, '503': 1, other: 2, errors: 2, timeouts: 1 },
      byStatus: { '200': 1, '204': 1, '429': 2, '503': 1, '502': 1, '500': 1 },
      latencyMs: { p50: 4, p95: 20, max: 20 },
      latencyMs2xx: { p50: 10, p95: 20, max: 20 },
      requestedRate: 20,
      achievedRate: 5,
      answeredRate: 3.5,
      elapsedMs: 2000,
      instances: ['a', 'b'],
      errorSamples: ['no response within 100 ms', 'ECONNREFUSED 127.0.0.1:1'],
    });
  });

  it('no answer at all: null latencies, zero rates', () => {
    expect(loadFigures([], { rate: 5 }, 0, 0)).toMatchObject({
      latencyMs: { p50: null, p95: null, max: null },
      latencyMs2xx: { p50: null, p95: null, max: null },
      achievedRate: 0,
    });
  });
});

describe('http:load against a local server', () => {
  let server: Server;
  let base = '';
  const seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const reply = (status: number, body: string): void => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(body);
      };
      if (req.url === '/ok') reply(200, '{"service":"api","instance":"i-1"}');
      else if (req.url === '/limited') reply(429, '{"error":"too many requests"}');
      else if (req.url === '/shed') reply(503, '{"error":"busy"}');
      else if (req.url === '/hang') {
        const late = setTimeout(() => reply(200, '{}'), 2000);
        res.on('close', () => clearTimeout(late));
      } else reply(404, '{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('GIVEN 2xx, 429 and 503 answers THEN each is counted, at about the requested rate', async () => {
    const result = await runFault(
      httpLoad,
      { paths: ['/ok', '/limited', '/shed', '/teapot'], rate: 40, durationSeconds: 1, concurrency: 10 },
      contextFor(outputsFor(base)),
    );
    expect(result).toMatchObject({
      urls: [`${base}/ok`, `${base}/limited`, `${base}/shed`, `${base}/teapot`],
      sent: 40,
      notSent: 0,
      counts: { '2xx': 10, '429': 10, '503': 10, other: 10, errors: 0, timeouts: 0 },
      byStatus: { '200': 10, '429': 10, '503': 10, '404': 10 },
      instances: ['i-1'],
      requestedRate: 40,
    });
    expect(seen).toHaveLength(40);
    const figures = result as { achievedRate: number; latencyMs: { p50: number; p95: number; max: number } };
    expect(figures.achievedRate).toBeGreaterThan(30);
    expect(figures.achievedRate).toBeLessThanOrEqual(45);
    expect(figures.latencyMs.p50).toBeLessThanOrEqual(figures.latencyMs.p95);
    expect(figures.latencyMs.p95).toBeLessThanOrEqual(figures.latencyMs.max);
  });

  it('GIVEN acceptStatuses THEN answered and shed pass, and any other status fails the action with the figures', async () => {
    const ctx = contextFor(outputsFor(base));
    const acceptStatuses = [200, 429, 503];
    await expect(
      runFault(httpLoad, { paths: ['/ok', '/limited', '/shed'], rate: 30, durationSeconds: 0.5, acceptStatuses }, ctx),
    ).resolves.toMatchObject({ counts: { '2xx': 5, '429': 5, '503': 5 } });
    await expect(runFault(httpLoad, { paths: ['/ok', '/teapot'], rate: 20, durationSeconds: 0.5, acceptStatuses }, ctx)).rejects.toThrow(
      /^load: answers outside 200\/429\/503: 5× 404 of 10 sent; \{"200":5,"404":5\}, p95 [\d.]+ ms$/,
    );
    await expect(
      runFault(httpLoad, { rate: 10, durationSeconds: 0.2, acceptStatuses }, contextFor(outputsFor('http://127.0.0.1:1'))),
    ).rejects.toThrow(/2 errors \(ECONNREFUSED 127.0.0.1:1\)/);
  });

  it('GIVEN answers slower than the timeout THEN timeouts, and never more than the concurrency in flight', async () => {
    const result = await runFault(
      httpLoad,
      { paths: ['/hang'], rate: 20, durationSeconds: 0.5, concurrency: 3, timeoutMs: 300 },
      contextFor(outputsFor(base)),
    );
    // 10 due in 0.5 s; 3 in flight until their 300 ms timeout, so some ticks find no room.
    expect(result).toMatchObject({ counts: { '2xx': 0, timeouts: (result as { sent: number }).sent } });
    const { sent, notSent } = result as { sent: number; notSent: number };
    expect(sent + notSent).toBe(10);
    expect(notSent).toBeGreaterThan(0);
    expect(seen.length).toBe(sent);
  });

  it('GIVEN a refused connection THEN errors, not timeouts', async () => {
    const result = await runFault(httpLoad, { rate: 10, durationSeconds: 0.3 }, contextFor(outputsFor('http://127.0.0.1:1')));
    expect(result).toMatchObject({ sent: 3, counts: { errors: 3, timeouts: 0 }, errorSamples: ['ECONNREFUSED 127.0.0.1:1'] });
  });

  it('GIVEN an abort mid-load THEN it stops at once and throws the reason', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('interrupted by test')), 200);
    await expect(
      runFault(httpLoad, { paths: ['/hang'], rate: 10, durationSeconds: 10 }, contextFor(outputsFor(base), {}, controller.signal)),
    ).rejects.toThrow('interrupted by test');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

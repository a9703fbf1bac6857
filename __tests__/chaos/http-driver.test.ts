import { AvailabilitySampler } from '../../chaos/sampling/availability-sampler';
import { httpGet } from '../../chaos/drivers/http/get';
import { ActivityFailedError } from '../../chaos/errors';
import { contextFor, targetFor } from './drivers/support/context';
import { useLocalServer } from './helpers/local-server';
import { outputsFor } from './helpers/outputs-fixture';

const server = useLocalServer();

describe('http:get arguments', () => {
  it.each<[string, unknown, boolean]>([
    ['nothing (defaults)', {}, true],
    ['a path', { path: '/healthz' }, true],
    ['an absolute URL', { url: 'http://127.0.0.1:1/x' }, true],
    ['statuses and body match', { expectStatus: [200, 204], bodyMatch: '^ok$' }, true],
    ['a path without /', { path: 'healthz' }, false],
    ['a non-http URL', { url: 'ftp://x/y' }, false],
    ['a status out of range', { expectStatus: 42 }, false],
    ['an invalid regex', { bodyMatch: '(' }, false],
    ['a negative timeout', { timeoutMs: -1 }, false],
    ['an unknown key', { verb: 'GET' }, false],
  ])('%s', (_name, args, valid) => {
    expect(httpGet.bind(args).ok).toBe(valid);
  });
});

describe('http:get against a local server', () => {
  const run = async (args: unknown) => {
    const bound = httpGet.bind(args);
    if (!bound.ok) throw new Error('bad arguments');
    return bound.bound.run(contextFor(outputsFor(server().url)));
  };

  it('GIVEN a healthy server THEN it returns status and latency', async () => {
    await expect(run({ path: '/healthz', bodyMatch: 'ok' })).resolves.toMatchObject({
      status: 200,
      bodyMatched: true,
      url: `${server().url}/healthz`,
    });
  });

  it.each<[string, () => void, unknown, RegExp]>([
    ['an unexpected status', () => (server().mode = 'failing'), {}, /answered 503, expected 200/],
    ['a body that does not match', () => undefined, { bodyMatch: 'nope' }, /body not matching/],
    ['a server that does not answer in time', () => (server().mode = 'hanging'), { timeoutMs: 100 }, /no response within 100 ms/],
    ['a refused connection', () => undefined, { url: 'http://127.0.0.1:1/' }, /ECONNREFUSED/],
  ])('GIVEN %s THEN ActivityFailedError', async (_name, arrange, args, message) => {
    arrange();
    const attempt = run(args);
    await expect(attempt).rejects.toThrow(ActivityFailedError);
    await expect(attempt).rejects.toThrow(message);
  });

  it('describes itself for dry runs and offers a sample target', () => {
    const bound = httpGet.bind({ path: '/healthz', expectStatus: [200, 204] });
    if (!bound.ok) throw new Error('bad arguments');
    const outputs = outputsFor(server().url);
    expect(bound.bound.describe(targetFor(outputs))).toBe(`GET ${server().url}/healthz expecting 200/204`);
    expect(bound.bound.sampleTarget(outputs)).toMatchObject({ url: `${server().url}/healthz`, expectStatus: [200, 204] });
  });
});

describe('availability sampler', () => {
  const target = () => ({
    url: `${server().url}/healthz`,
    method: 'GET',
    headers: {},
    expectStatus: [200],
    timeoutMs: 500,
    verifyTls: true,
  });

  it('GIVEN a server failing for a window THEN it samples at >= 20/s and records the failures', async () => {
    const progress: number[] = [];
    const sampler = new AvailabilitySampler({
      target: target(),
      rate: 25,
      timeoutMs: 300,
      maxDurationMs: 10_000,
      onProgress: (p) => progress.push(p.ok + p.failed),
    });
    sampler.start();
    await new Promise((r) => setTimeout(r, 300));
    server().failFor(400);
    await new Promise((r) => setTimeout(r, 1300));
    expect(sampler.healthyStreak(5, 500)).toBe(true);
    const samples = await sampler.stop();
    const failed = samples.filter((s) => !s.ok);
    expect(samples.length).toBeGreaterThanOrEqual(20 * 1.5);
    expect(failed.length).toBeGreaterThanOrEqual(5);
    expect(failed[0]).toMatchObject({ ok: false, status: 503, error: 'status 503' });
    expect(samples.every((s, i) => i === 0 || s.t >= (samples[i - 1]?.t ?? 0))).toBe(true);
    expect(progress.length).toBeGreaterThanOrEqual(1);
  });

  it('GIVEN no owner stopping it THEN it stops by itself at its bound', async () => {
    const sampler = new AvailabilitySampler({ target: target(), rate: 50, timeoutMs: 200, maxDurationMs: 300 });
    sampler.start();
    await new Promise((r) => setTimeout(r, 700));
    const count = sampler.samples().length;
    expect(count).toBeLessThanOrEqual(16);
    expect(count).toBeGreaterThanOrEqual(5);
    await new Promise((r) => setTimeout(r, 200));
    expect(sampler.samples().length).toBe(count);
  });

  it('GIVEN a hanging server THEN samples fail by timeout and a hanging request blocks "healthy"', async () => {
    server().mode = 'hanging';
    const sampler = new AvailabilitySampler({ target: target(), rate: 20, timeoutMs: 150, maxDurationMs: 5000 });
    sampler.start();
    await new Promise((r) => setTimeout(r, 400));
    expect(sampler.healthyStreak(5, 100)).toBe(false);
    const samples = await sampler.cancel();
    expect(samples.length).toBeGreaterThan(0);
    expect(samples.every((s) => !s.ok)).toBe(true);
  });
});

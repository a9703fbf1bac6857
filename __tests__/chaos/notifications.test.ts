import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endEvents } from '../../chaos/settings/notifier';
import { runCli } from './helpers/cli-harness';
import { useLocalServer } from './helpers/local-server';

/** A webhook receiver on 127.0.0.1 that records what it is sent; it answers `status`, or never when hanging. */
class Webhook {
  received: { method: string; url: string; headers: IncomingHttpHeaders; body: string; at: number }[] = [];
  status = 200;
  hanging = false;
  private server: Server | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() });
        if (this.hanging) return;
        res.writeHead(this.status);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  events(): string[] {
    return this.received.map((r) => (JSON.parse(r.body || '{}') as { name?: string }).name ?? `${r.method} without a body`);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

const sut = useLocalServer();
let webhook: Webhook;
let dir: string;
beforeAll(async () => {
  webhook = await new Webhook().start();
  dir = await mkdtemp(join(tmpdir(), 'chaos-notify-'));
});
afterAll(async () => {
  await webhook.stop();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  webhook.received = [];
  webhook.status = 200;
  webhook.hanging = false;
});

/** A tiny experiment: an http probe of the local server before and after one http probe. */
function experiment(path = '/healthz'): string {
  return [
    'title: Tiny webhook experiment',
    'description: d',
    'steady-state-hypothesis:',
    '  title: up',
    `  probes: [{type: probe, name: health, tolerance: 200, provider: {type: http, url: "${sut().url}${path}", timeout: 1}}]`,
    'method:',
    `  - {type: probe, name: look, provider: {type: http, url: "${sut().url}/status", timeout: 1}}`,
    '',
  ].join('\n');
}

let counter = 0;
/** Writes the experiment and the settings, runs `chaos run` in-process; returns the result, the journal file and the time it took. */
async function runWith(settings: string, options: { path?: string; env?: Record<string, string | undefined>; args?: string[] } = {}) {
  counter += 1;
  const name = `run-${counter}`;
  await writeFile(join(dir, `${name}.yaml`), experiment(options.path));
  await writeFile(join(dir, `${name}-settings.yaml`), settings);
  const args = options.args ?? ['--settings', `${name}-settings.yaml`];
  const started = Date.now();
  const result = await runCli(
    ['run', `${name}.yaml`, '--journal', `${name}.json`, ...args],
    dir,
    options.env ?? { PATH: process.env.PATH },
  );
  return { ...result, journal: join(dir, `${name}.json`), settingsFile: `${name}-settings.yaml`, ms: Date.now() - started };
}

const channel = (lines: readonly string[]): string => ['notifications:', ...lines, ''].join('\n');

describe('settings notifications: webhooks on run events, as chaostoolkit posts them', () => {
  it('GIVEN a completed run THEN run-started (the experiment) and run-completed (the journal) are posted as JSON with the headers', async () => {
    const before = Date.now() / 1000;
    const result = await runWith(
      channel([`  - {type: http, url: "${webhook.url('/hooks/chaos?token=s3cret')}", headers: {Authorization: Bearer abc}}`]),
    );
    expect(result).toMatchObject({ code: 0, stderr: expect.not.stringContaining('warning') });
    expect(webhook.events()).toEqual(['run-started', 'run-completed']);
    const [started, completed] = webhook.received.map(
      (r) => JSON.parse(r.body) as { name: string; payload: unknown; phase: string; ts: number },
    );
    for (const request of webhook.received) {
      expect(request).toMatchObject({ method: 'POST', url: '/hooks/chaos?token=s3cret' });
      expect(request.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer abc' });
    }
    expect(Object.keys(started ?? {}).sort()).toEqual(['name', 'payload', 'phase', 'ts']);
    expect(started).toMatchObject({ name: 'run-started', phase: 'run', payload: { title: 'Tiny webhook experiment', description: 'd' } });
    expect(completed?.payload).toEqual(JSON.parse(await readFile(result.journal, 'utf8')));
    expect(completed?.payload).toMatchObject({ status: 'completed', deviated: false });
    expect(started?.ts).toBeGreaterThanOrEqual(before);
    expect(completed?.ts).toBeGreaterThanOrEqual(started?.ts ?? Infinity);
    expect(completed?.ts).toBeLessThanOrEqual(Date.now() / 1000);
  }, 30_000);

  it('GIVEN a run whose steady state before fails THEN run-failed; a channel filtering on run-completed gets nothing', async () => {
    sut().failFor(60_000, 'failing', '/down');
    const result = await runWith(
      channel([
        `  - {type: http, url: "${webhook.url('/all')}"}`,
        `  - {type: http, url: "${webhook.url('/completed-only')}", events: [run-completed]}`,
        `  - {type: http, url: "${webhook.url('/failed-only')}", events: [run-failed, run-aborted]}`,
      ]),
      { path: '/down' },
    );
    expect(result.code).toBe(1);
    const by = (path: string) => webhook.received.filter((r) => r.url === path).map((r) => (JSON.parse(r.body) as { name: string }).name);
    expect(by('/all')).toEqual(['run-started', 'run-failed']);
    expect(by('/completed-only')).toEqual([]);
    expect(by('/failed-only')).toEqual(['run-failed']);
  }, 30_000);

  it('GIVEN forward_event_payload: false THEN a GET without a body, as chaostoolkit does', async () => {
    const result = await runWith(
      channel([`  - {type: http, url: "${webhook.url('/ping')}", forward_event_payload: false, events: [run-completed]}`]),
    );
    expect(result.code).toBe(0);
    expect(webhook.received).toEqual([expect.objectContaining({ method: 'GET', url: '/ping', body: '' })]);
  }, 30_000);

  it('GIVEN a webhook answering 500 and one refusing connections THEN the run still passes, with one warning per event that hides the path', async () => {
    webhook.status = 500;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runWith(
      channel([
        `  - {type: http, url: "${webhook.url('/secret-path')}"}`,
        `  - {type: http, url: "http://127.0.0.1:${port}/secret-path", events: [run-completed]}`,
      ]),
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(await readFile(result.journal, 'utf8'))).toMatchObject({ status: 'completed' });
    const warnings = result.stderr.split('\n').filter((line) => line.startsWith('chaos: warning: notification'));
    expect(warnings.sort()).toEqual(
      [
        `chaos: warning: notification run-started to http://127.0.0.1:${webhook.port}/… (${result.settingsFile}) not delivered: HTTP 500; the run is unaffected`,
        `chaos: warning: notification run-completed to http://127.0.0.1:${webhook.port}/… (${result.settingsFile}) not delivered: HTTP 500; the run is unaffected`,
        `chaos: warning: notification run-completed to http://127.0.0.1:${port}/… (${result.settingsFile}) not delivered: ECONNREFUSED; the run is unaffected`,
      ].sort(),
    );
    expect(result.stderr).not.toContain('secret-path');
  }, 30_000);

  it('GIVEN a webhook that never answers THEN the experiment is not held up and the command ends within the timeout', async () => {
    // The same experiment without settings: how long a run takes here.
    const plain = await runWith('', { args: [] });
    expect(plain.code).toBe(0);
    webhook.hanging = true;
    const result = await runWith(channel([`  - {type: http, url: "${webhook.url('/slow')}", timeout: 1}`]));
    expect(result.code).toBe(0);
    const journal = JSON.parse(await readFile(result.journal, 'utf8')) as { start: string; end: string; status: string };
    expect(journal.status).toBe('completed');
    // run-started was sent as the run began, and the run did not wait for its answer.
    expect(webhook.events()[0]).toBe('run-started');
    expect(Date.parse(journal.end) - Date.parse(journal.start)).toBeLessThan(plain.ms + 800);
    // After the run: at most one timeout (1 s) for what is still on its way, then the rest is dropped.
    expect(result.ms).toBeLessThan(plain.ms + 1_000 + 1_500);
    expect(result.stderr).toContain('notification run-started to');
    expect(result.stderr).toContain(
      'notification run-started to http://127.0.0.1:' +
        webhook.port +
        '/… (' +
        result.settingsFile +
        ') not delivered: no answer within 1s',
    );
    expect(result.stderr).toContain(
      'notification run-completed to http://127.0.0.1:' +
        webhook.port +
        '/… (' +
        result.settingsFile +
        ') not delivered: still on its way when the run ended, dropped',
    );
  }, 30_000);

  it('GIVEN a dry run THEN the settings are checked but nothing is sent', async () => {
    const result = await runWith(channel([`  - {type: http, url: "${webhook.url('/dry')}"}`]), {
      args: ['--settings', `run-${counter + 1}-settings.yaml`, '--dry-run'],
    });
    expect(result.code).toBe(0);
    expect(webhook.received).toEqual([]);
  });

  it('GIVEN CHAOS_SETTINGS, or ~/.chaos/settings.yaml under HOME THEN they are read; --settings before the command too', async () => {
    const settings = channel([`  - {type: http, url: "${webhook.url('/env')}", events: [run-completed]}`]);
    const fromEnv = await runWith(settings, {
      args: [],
      env: { PATH: process.env.PATH, CHAOS_SETTINGS: `run-${counter + 1}-settings.yaml` },
    });
    expect(fromEnv.code).toBe(0);
    const home = join(dir, 'home');
    await mkdir(join(home, '.chaos'), { recursive: true });
    await writeFile(join(home, '.chaos', 'settings.yaml'), settings);
    const fromHome = await runWith('', { args: [], env: { PATH: process.env.PATH, HOME: home } });
    expect(fromHome.code).toBe(0);
    expect(webhook.received.map((r) => r.url)).toEqual(['/env', '/env']);
    await writeFile(join(dir, 'global.yaml'), settings);
    await writeFile(join(dir, 'global-run.yaml'), experiment());
    const global = await runCli(['--settings', 'global.yaml', 'run', 'global-run.yaml', '--journal', 'global.json'], dir, {
      PATH: process.env.PATH,
    });
    expect(global.code).toBe(0);
    expect(webhook.received.map((r) => r.url)).toEqual(['/env', '/env', '/env']);
  }, 60_000);

  it.each([
    ['a URL that is not one', '  - {type: http, url: "not a url"}', /notifications\[0\]\.url: expected an absolute http\(s\) URL/],
    [
      'another scheme',
      '  - {type: http, url: "ftp://127.0.0.1/x"}',
      /notifications\[0\]\.url: expected an http or https URL, got the scheme ftp/,
    ],
    [
      'credentials in the URL',
      '  - {type: http, url: "http://u:p@127.0.0.1/x"}',
      /notifications\[0\]\.url: credentials in the URL are not supported/,
    ],
    ['no URL', '  - {type: http}', /notifications\[0\]\.url: is required/],
    [
      'a plugin channel',
      '  - {type: plugin, module: chaosslack.notification}',
      /notifications\[0\]\.type: plugin .* is not supported: use type: http/,
    ],
    [
      'an unknown event',
      '  - {type: http, url: "http://127.0.0.1:9/", events: [run-exploded]}',
      /notifications\[0\]\.events\[0\]: expected a run event: run-started, run-completed/,
    ],
    [
      'a validate event',
      '  - {type: http, url: "http://127.0.0.1:9/", events: [validate-failed]}',
      /notifications\[0\]\.events\[0\]: expected a run event/,
    ],
    [
      'an empty filter',
      '  - {type: http, url: "http://127.0.0.1:9/", events: []}',
      /notifications\[0\]\.events: expected at least one event/,
    ],
    ['a misspelt key', '  - {type: http, url: "http://127.0.0.1:9/", header: {}}', /notifications\[0\]\.header: is not a known key here/],
    [
      'verify_tls: false',
      '  - {type: http, url: "https://127.0.0.1:9/", verify_tls: false}',
      /notifications\[0\]\.verify_tls: verify_tls: false is not supported/,
    ],
    [
      'a long timeout',
      '  - {type: http, url: "http://127.0.0.1:9/", timeout: 120}',
      /notifications\[0\]\.timeout: expected at most 30 seconds/,
    ],
    [
      'a header on two lines',
      '  - {type: http, url: "http://127.0.0.1:9/", headers: {X-A: "a\\nb"}}',
      /notifications\[0\]\.headers\.X-A: a header value must be one line/,
    ],
  ])('GIVEN %s THEN exit 2 with one line naming the file and the key, and nothing runs', async (_what, line, message) => {
    const requests = sut().requests;
    const result = await runWith(channel([line]));
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).toMatch(new RegExp(`^chaos: ${result.settingsFile}: ${message.source}`));
    expect(sut().requests).toBe(requests);
    expect(webhook.received).toEqual([]);
  });

  it.each([
    ['a missing file', null, /^chaos: missing\.yaml: settings file not found/],
    ['invalid YAML', 'notifications: [unclosed\n', /^chaos: run-\d+-settings\.yaml: not valid YAML/],
    ['a list', '- a\n', /^chaos: run-\d+-settings\.yaml: expected a mapping/],
    ['controls', 'controls: {}\n', /^chaos: run-\d+-settings\.yaml: controls: not supported: this tool reads only notifications/],
    [
      'notifications not a list',
      'notifications: {type: http}\n',
      /^chaos: run-\d+-settings\.yaml: notifications: expected a list of channels/,
    ],
  ])('GIVEN %s THEN exit 2 with one line', async (_what, text, message) => {
    const result = await runWith(text ?? '', text === null ? { args: ['--settings', 'missing.yaml'] } : {});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')).toHaveLength(2);
  });
});

describe('the events a finished run raises (chaostoolkit: run-completed, else run-failed, and run-deviated besides)', () => {
  it.each([
    ['completed', false, ['run-completed']],
    ['failed', false, ['run-failed']],
    ['failed', true, ['run-failed', 'run-deviated']],
    ['aborted', false, ['run-failed', 'run-aborted']],
    ['interrupted', false, ['run-failed', 'run-interrupted']],
  ] as const)('GIVEN status %s, deviated %s THEN %j', (status, deviated, events) => {
    expect(endEvents({ status, deviated })).toEqual(events);
  });
});

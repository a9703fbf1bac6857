import { createServer, type Server } from 'node:http';

/** How the system under test answers right now. */
export type ServerMode = 'healthy' | 'failing' | 'hanging';

/**
 * A system under test on 127.0.0.1: answers 200 on every path (JSON on /status), 503 while
 * failing, never while hanging. Tests (or experiments, through /__fail?ms=N, /__hang?ms=N and
 * /__heal) make it fail for a window; `&prefix=/p` limits the failure to paths starting with /p
 * (one service down, the others answering).
 */
export class LocalServer {
  mode: ServerMode = 'healthy';
  /** Only paths starting with this fail or hang (every path when null). */
  failingPrefix: string | null = null;
  /** Date.now() when the last failure window ended by itself (null while none has). */
  healedAt: number | null = null;
  requests = 0;
  private server: Server | null = null;
  private port = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests += 1;
      // Control endpoints, so that an experiment's own actions can inject and heal the fault.
      const control = /^\/__(fail|hang|heal)(?:\?ms=(\d+))?(?:&prefix=([\w/.-]+))?/.exec(req.url ?? '');
      if (control) {
        const ms = Number(control[2] ?? '3600000');
        if (control[1] === 'heal') this.mode = 'healthy';
        else this.failFor(ms, control[1] === 'hang' ? 'hanging' : 'failing', control[3] ?? null);
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(control[1]);
        return;
      }
      const affected = this.failingPrefix === null || (req.url ?? '').startsWith(this.failingPrefix);
      if (this.mode === 'hanging' && affected) return;
      if (this.mode === 'failing' && affected) {
        res.writeHead(503, { 'content-type': 'text/plain' });
        res.end('unavailable');
        return;
      }
      if (req.url?.startsWith('/status')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            healthy: true,
            services: [
              { name: 'api', running: 1 },
              { name: 'proxy', running: 1 },
            ],
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.port = typeof address === 'object' && address !== null ? address.port : 0;
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  private healTimer: NodeJS.Timeout | null = null;

  /** Fails for `ms` from now, then heals by itself. */
  failFor(ms: number, mode: ServerMode = 'failing', prefix: string | null = null): void {
    this.mode = mode;
    this.failingPrefix = prefix;
    this.healedAt = null;
    if (this.healTimer) clearTimeout(this.healTimer);
    this.healTimer = setTimeout(() => {
      this.mode = 'healthy';
      this.failingPrefix = null;
      // Wall-clock ms, the engine clock's own: performance.timeOrigin + now() can drift from Date.now() (a CI run: 100 ms).
      this.healedAt = Date.now();
    }, ms);
    this.healTimer.unref();
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.server = null;
  }
}

/** A LocalServer for a whole test file: started before all, healthy again before each test, stopped after all. */
export function useLocalServer(): () => LocalServer {
  let server: LocalServer | undefined;
  beforeAll(async () => {
    server = await new LocalServer().start();
  });
  afterAll(async () => server?.stop());
  beforeEach(() => {
    if (server !== undefined) {
      server.mode = 'healthy';
      server.failingPrefix = null;
    }
  });
  return () => {
    if (server === undefined) throw new Error('the local server is not started (use it inside a test)');
    return server;
  };
}

/**
 * An experiment (YAML) whose action makes the server fail and then waits 30 s, and whose rollbacks
 * heal it and touch `marker`: a fault that only its rollbacks undo.
 */
export function breakAndHeal(url: string, marker: string, options: { title?: string; extra?: readonly string[] } = {}): string {
  return [
    `title: ${options.title ?? 'Breaks and heals'}`,
    'description: d',
    'steady-state-hypothesis:',
    '  title: up',
    `  probes: [{type: probe, name: health, tolerance: 200, provider: {type: http, url: "${url}/healthz", timeout: 1}}]`,
    'method:',
    `  - {type: action, name: break it, provider: {type: http, url: "${url}/__fail?ms=60000"}, pauses: {after: 30}}`,
    'rollbacks:',
    `  - {type: action, name: heal, provider: {type: http, url: "${url}/__heal"}}`,
    `  - {type: action, name: mark, provider: {type: process, path: touch, arguments: ["${marker}"]}}`,
    ...(options.extra ?? []),
    '',
  ].join('\n');
}

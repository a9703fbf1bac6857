/**
 * Long-running processes under test (the api binary, nginx), started on loopback and always
 * stopped in afterAll through a {@link ProcessGroup}.
 *
 * Output goes to a file rather than to a Node pipe: Node's pipes are socketpairs, and nginx
 * cannot reopen /dev/stdout on a socket (ENXIO), while it can on a file. The file is opened
 * O_APPEND, so the process's own writes and a reopened /dev/stdout never overwrite each other.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fchownSync, openSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** How a process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A stop: how the process ended and how long it took after the signal. */
export interface StopResult extends ProcessExit {
  readonly ms: number;
}

/** A started process whose output (stdout and stderr, interleaved) can be read at any time. */
export class ServiceProcess {
  private ended: ProcessExit | undefined;
  private endedAt = 0;
  private readonly exited: Promise<ProcessExit>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.endedAt = Date.now();
        this.ended = { code, signal };
        resolve(this.ended);
      });
    });
  }

  /** Whether the process has not exited yet. */
  get running(): boolean {
    return this.ended === undefined;
  }

  /** Everything the process wrote so far. */
  output(): string {
    return readFileSync(this.logFile, 'utf8');
  }

  /** The output's non-empty lines. */
  lines(): string[] {
    return this.output()
      .split('\n')
      .filter((line) => line.trim() !== '');
  }

  /** Waits for the process to exit on its own; rejects after `timeoutMs` with its output. */
  async waitForExit(timeoutMs: number): Promise<ProcessExit> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name} still running after ${timeoutMs} ms:\n${this.output()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends `signal` and waits for the exit, measuring the time from the signal to the exit;
   * SIGKILL after `killAfterMs`. A process that already exited is reported as it ended.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10000): Promise<StopResult> {
    const started = Date.now();
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), killAfterMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return { ...exit, ms: Math.max(0, this.endedAt - started) };
  }
}

/** Options of {@link ProcessGroup.start}. */
export interface StartOptions {
  /** Added to the test's environment. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /**
   * Owner of the output file, for a process that runs as another user: nginx reopens /dev/stdout
   * (its access log), and a file only root may write would refuse it.
   */
  readonly logOwner?: { readonly uid: number; readonly gid: number };
}

/** The processes a test file started; stopAll in afterAll ends every one still running. */
export class ProcessGroup {
  private readonly processes: ServiceProcess[] = [];

  /** @param logDir where each process's output file goes (a test's temporary directory). */
  constructor(private readonly logDir: string) {}

  /** Starts `command`, its output in `<logDir>/<name>-<n>.log`. */
  start(name: string, command: string, args: readonly string[], options: StartOptions = {}): ServiceProcess {
    const logFile = path.join(this.logDir, `${name}-${this.processes.length}.log`);
    const fd = openSync(logFile, 'a');
    try {
      if (options.logOwner !== undefined) fchownSync(fd, options.logOwner.uid, options.logOwner.gid);
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: { ...process.env, ...options.env },
        stdio: ['ignore', fd, fd],
      });
      const started = new ServiceProcess(name, child, logFile);
      this.processes.push(started);
      return started;
    } finally {
      closeSync(fd);
    }
  }

  /** Stops every process still running (SIGTERM, then SIGKILL after 5 s). */
  async stopAll(): Promise<void> {
    await Promise.all(this.processes.filter((p) => p.running).map((p) => p.stop('SIGTERM', 5000)));
  }
}

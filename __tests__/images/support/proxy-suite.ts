/**
 * What the proxy test files share: the system tools they run, one request helper, and a
 * temporary directory for the processes they start. {@link workDir} and {@link group} are set
 * before the tests: import them, and call {@link useProxyWorkDir} at the top level. Each test
 * file has its own module registry, so its own directory.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { httpGet, type HttpGetOptions, type HttpReply } from '../../../rehearsal/http-check';
import { requireTool } from './require-tool';
import { ProcessGroup } from './service-process';

/**
 * The tools the proxy tests need, and the describe that runs only when every one is installed.
 * Call it at the top level of a test file (see {@link requireTool}).
 */
export function requireProxyTools() {
  const tools = {
    nginx: requireTool('nginx', 'nginx'),
    openssl: requireTool('openssl', 'openssl'),
    lego: requireTool('lego', 'lego'),
    pebble: requireTool('pebble', 'pebble'),
    challtestsrv: requireTool('pebble-challtestsrv', 'pebble'),
    go: requireTool('go', 'golang-go'),
  };
  const describeWithTools = Object.values(tools).every((found) => found !== undefined) ? describe : describe.skip;
  return { tools, describeWithTools, nginx: tools.nginx ?? 'nginx' };
}

/** One request, allowed 5 s unless said otherwise (more than the helper's 3 s: requests here meet nginx reloads and TLS handshakes). */
export const get = (url: string, options: HttpGetOptions = {}): Promise<HttpReply> => httpGet(url, { timeoutMs: 5000, ...options });

export let workDir = '';
/** The processes the tests start; all stopped after the tests. */
export let group: ProcessGroup;

/** Makes the directory before the tests; after them stops every process and removes it. */
export function useProxyWorkDir(): void {
  beforeAll(() => {
    workDir = mkdtempSync(path.join(tmpdir(), 'proxy-test-'));
    // nginx workers run as www-data and read the ACME webroot below this directory.
    chmodSync(workDir, 0o755);
    group = new ProcessGroup(workDir);
  });

  afterAll(async () => {
    await group?.stopAll();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });
}

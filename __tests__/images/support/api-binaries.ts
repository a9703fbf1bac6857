/**
 * The api's binaries for a test file, built as the image builds them: the api (with
 * {@link VERSION}) and the standalone healthcheck command, in a temporary directory. The bindings
 * below are set once built: import them, and call {@link useApiBinaries} in the describe whose
 * tests use them. Each test file has its own module registry, so its own binaries.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildGoBinary } from './go-build';
import { ProcessGroup } from './service-process';

/** The version the api binary is built with (-X main.version). */
export const VERSION = 'test-1.2.3';

/** The processes the tests start; all stopped after the tests. */
export let processes: ProcessGroup;
export let apiBinary = '';
export let healthcheckBinary = '';

/** Builds both binaries with `go` before the tests; after them stops every process and removes the directory. */
export function useApiBinaries(go: string): void {
  let workDir = '';

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), 'api-test-'));
    processes = new ProcessGroup(workDir);
    apiBinary = await buildGoBinary(go, '.', path.join(workDir, 'api'), `-X main.version=${VERSION}`);
    healthcheckBinary = await buildGoBinary(go, './cmd/healthcheck', path.join(workDir, 'healthcheck'));
  }, 120000);

  afterAll(async () => {
    await processes?.stopAll();
    if (workDir !== '') rmSync(workDir, { recursive: true, force: true });
  });
}

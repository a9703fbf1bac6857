import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '../../../chaos/engine/events';
import { systemClock } from '../../../chaos/engine/clock';
import type { Journal } from '../../../contract/journal';
import { runExperiment } from '../../../chaos/engine/runner';
import { bindTarget } from '../../../chaos/targets/bind-target';
import type { JsonObject } from '../../../contract/json';
import { parseExperimentDocument } from '../../../chaos/model/load-experiment';
import { noClients } from './driver-context';
import { outputsFor } from './outputs-fixture';
import { TEST_CATALOG } from './test-faults';

export interface EngineRun {
  readonly journal: Journal;
  readonly written: Journal;
  readonly events: EngineEvent[];
  readonly dir: string;
}

/** Loads a document with the test catalog and runs it against a local server. */
export async function runDocument(
  doc: JsonObject,
  serverUrl: string,
  options: { interruptAfterMs?: number; env?: Record<string, string> } = {},
): Promise<EngineRun> {
  const dir = await mkdtemp(join(tmpdir(), 'chaos-engine-'));
  const experiment = parseExperimentDocument(doc, 'exp.yaml', { catalog: TEST_CATALOG, env: { MARKERS: dir, ...options.env } });
  const events: EngineEvent[] = [];
  const controller = new AbortController();
  if (options.interruptAfterMs !== undefined) setTimeout(() => controller.abort(new Error('SIGINT')), options.interruptAfterMs);
  const journalPath = join(dir, 'journal.json');
  const outputs = outputsFor(serverUrl);
  const journal = await runExperiment(experiment, {
    outputs: { file: 'outputs.json', format: 'plain', stack: null, outputs },
    journalPath,
    interrupt: controller.signal,
    events: { emit: (e) => events.push(e) },
    clock: systemClock,
    target: bindTarget(outputs, { clients: noClients }),
    cwd: dir,
    processEnv: process.env,
  });
  const written: Journal = JSON.parse(await readFile(journalPath, 'utf8'));
  return { journal, written, events, dir };
}

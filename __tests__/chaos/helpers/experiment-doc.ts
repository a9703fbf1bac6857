/** A small experiment document for the loader's tests, and ways to change one part of it. */
import { parseExperimentText } from '../../../chaos/model/load-experiment';
import type { Experiment } from '../../../chaos/model/types';
import { TEST_CATALOG } from './test-faults';

export type Doc = Record<string, unknown>;

/** An HTTP probe activity on a closed loopback port. */
export const httpProbe = (name = 'health', extra: Doc = {}): Doc => ({
  type: 'probe',
  name,
  provider: { type: 'http', url: 'http://127.0.0.1:1/healthz' },
  ...extra,
});
/** The base document: one hypothesis probe with a tolerance, one process action. */
export const base = (): Doc => ({
  title: 'Exp',
  description: 'd',
  'steady-state-hypothesis': { title: 'Healthy', probes: [httpProbe('health', { tolerance: 200 })] },
  method: [{ type: 'action', name: 'act', provider: { type: 'process', path: 'true' } }],
});

/** Loads `doc` (a document, or YAML/JSON text) as exp.yaml with the test fault catalogue. */
export function load(doc: Doc | string, env: Record<string, string> = {}): Experiment {
  return parseExperimentText(typeof doc === 'string' ? doc : JSON.stringify(doc), 'exp.yaml', { catalog: TEST_CATALOG, env });
}

/** Sets a value at a dotted/indexed path of a copy of the base document. */
export function withValue(path: (string | number)[], value: unknown, doc: Doc = base()): Doc {
  const copy: Doc = JSON.parse(JSON.stringify(doc));
  let node: Record<string | number, unknown> = copy;
  path.slice(0, -1).forEach((key) => {
    node = node[key] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1] ?? '';
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

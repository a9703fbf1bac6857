/**
 * Regenerates `__tests__/chaos/fixtures/engine-journal.json`: a journal produced by the real engine
 * (runner, availability sampler, recovery wait, rollbacks) against a loopback HTTP server that stands
 * in for the platform's proxy. The server hangs for a moment (as while a container stops), then
 * answers 503 (as the proxy does while the API is gone), then heals by itself.
 *
 *   node --import tsx __tests__/chaos/report/make-engine-journal.ts
 *
 * Only loopback traffic; the run is bounded by the experiment's `within` (15 s).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JsonObject } from '../../../contract/json';
import { runDocument } from '../helpers/engine-harness';
import { LocalServer } from '../helpers/local-server';

export const ENGINE_JOURNAL_FIXTURE = join(__dirname, '..', 'fixtures', 'engine-journal.json');

function experiment(url: string): JsonObject {
  return {
    title: 'The API comes back after its container is stopped',
    description:
      'Stops the API container on the host; its restart policy must bring it back while the proxy keeps answering for the frontend.',
    tags: ['rehearsal', 'api'],
    'steady-state-hypothesis': {
      title: 'The API answers through the proxy',
      probes: [{ type: 'probe', name: 'api-health', provider: { type: 'http', url: `${url}/api/healthz`, timeout: 1 }, tolerance: 200 }],
    },
    method: [
      { type: 'action', name: 'stop-api-container', provider: { type: 'http', url: `${url}/__hang?ms=800` }, pauses: { after: 0.8 } },
      { type: 'action', name: 'api-restarting', provider: { type: 'http', url: `${url}/__fail?ms=2500` } },
      { type: 'probe', name: 'proxy-status', provider: { type: 'http', url: `${url}/status`, timeout: 1 } },
    ],
    rollbacks: [{ type: 'action', name: 'heal', provider: { type: 'http', url: `${url}/__heal` } }],
    'rollback-strategy': 'always',
    recovery: { within: 15, poll: 0.5, availability: { min: 10, probe: 'api-health', rate: 20, timeout: 0.5 } },
  };
}

async function main(): Promise<void> {
  const server = await new LocalServer().start();
  try {
    const { written } = await runDocument(experiment(server.url), server.url);
    await writeFile(ENGINE_JOURNAL_FIXTURE, `${JSON.stringify(written, null, 2)}\n`, 'utf8');
    const r = written.recovery;
    console.log(
      `${written.status}: ${r?.samples.length ?? 0} samples, recovered ${r?.timeToRecoverMs ?? 'never'} ms; wrote ${ENGINE_JOURNAL_FIXTURE}`,
    );
  } finally {
    await server.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}

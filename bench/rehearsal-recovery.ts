/**
 * Recovery benchmark on the local rehearsal: `docker stop` of the api container over SSH (host key
 * checked, as an operator or the chaos SSH driver does it), then `/api/status` through the proxy
 * until a new instance answers. Prints each run, then median and spread, and the frontend's
 * availability through the proxy meanwhile. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/rehearsal-recovery.ts       (BENCH_RUNS=9 for more runs; default 7)
 *
 * Uses the rehearsal that is up; brings one up (and down again afterwards) when none is.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { measureApiRecovery, type ApiRecovery } from '../docker/local/api-recovery';
import { down } from '../docker/local/down';
import { waitUntil } from '../docker/local/http-check';
import { readRehearsalState } from '../docker/local/rehearsal-state';
import { loadSettings, rehearsalFiles } from '../docker/local/settings';
import { sshRun, type SshEndpoint } from '../docker/local/sshd';
import { SERVICE_NAME_LABEL } from '../docker/local/swarm';
import { findTool } from '../docker/local/tools';
import { up } from '../docker/local/up';
import { platformOutputsSchema } from '../stacks/outputs';

const runs = Math.max(5, Number(process.env.BENCH_RUNS || 7));
const settings = loadSettings(resolve(__dirname, '..'));
const files = rehearsalFiles(settings);
const ssh = findTool('ssh') ?? 'ssh';

/** Waits until the service's one container reports healthy: each run starts from steady state. */
async function steadyState(endpoint: SshEndpoint, serviceName: string): Promise<void> {
  const result = await waitUntil(async () => {
    const status = await sshRun(ssh, endpoint, ['docker', 'ps', '--filter', `label=${SERVICE_NAME_LABEL}=${serviceName}`, '--format', '{{.Status}}']);
    return /\(healthy\)/.test(status) && status.split('\n').length === 1 ? { state: 'done' } : { state: 'waiting', reason: status };
  }, 60_000);
  if (result.state !== 'done') throw new Error(`${serviceName} is not healthy: ${result.reason}`);
}

function spread(label: string, values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted.length % 2 === 1 ? (sorted[(sorted.length - 1) / 2] ?? 0) : ((sorted[sorted.length / 2 - 1] ?? 0) + (sorted[sorted.length / 2] ?? 0)) / 2;
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / sorted.length);
  return `${label.padEnd(46)} median ${(median / 1000).toFixed(2)} s   min ${((sorted[0] ?? 0) / 1000).toFixed(2)} s   max ${((sorted[sorted.length - 1] ?? 0) / 1000).toFixed(2)} s   sd ${(sd / 1000).toFixed(2)} s`;
}

async function main(): Promise<void> {
  const broughtUp = readRehearsalState(files.state) === undefined;
  if (broughtUp) await up(settings);
  try {
    const state = readRehearsalState(files.state);
    if (state === undefined) throw new Error(`${files.state} is missing after up`);
    const outputs = platformOutputsSchema.parse(JSON.parse(readFileSync(files.outputs, 'utf8')));
    console.log(`rehearsal recovery benchmark on ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2)}, ${runs} runs`);
    const results: ApiRecovery[] = [];
    for (let i = 1; i <= runs; i += 1) {
      await steadyState(state.ssh, outputs.services.api.serviceName);
      const r = await measureApiRecovery(ssh, state.ssh, outputs);
      results.push(r);
      console.log(
        `run ${i}: new api instance through the proxy after ${r.recoverMs} ms (docker stop over ssh ${r.stopMs} ms, then ${r.recoverMs - r.stopMs} ms); ` +
          `frontend ${r.frontend.ok}/${r.frontend.total}`,
      );
    }
    console.log(spread('docker stop -> new api instance via the proxy', results.map((r) => r.recoverMs)));
    console.log(spread('  of which docker stop over ssh', results.map((r) => r.stopMs)));
    console.log(spread('  stop returned -> new instance answers', results.map((r) => r.recoverMs - r.stopMs)));
    const ok = results.reduce((a, r) => a + r.frontend.ok, 0);
    const total = results.reduce((a, r) => a + r.frontend.total, 0);
    console.log(`frontend availability through the proxy during the faults: ${((100 * ok) / Math.max(total, 1)).toFixed(1)} % (${ok}/${total} requests)`);
  } finally {
    if (broughtUp) await down(settings, { purge: false });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

/**
 * Recovery benchmark on the local rehearsal, per service: `docker stop` of the api's, the
 * frontend's and the proxy's container over SSH (host key checked, as an operator or the chaos SSH
 * driver does it), then the site through the proxy until the service is healthy again from its
 * replacement (the api: `/api/status` from a new instance; the frontend and the proxy: "/" once
 * the stopped container is gone). Meanwhile "/" and `/api/status` are sampled through the proxy
 * every 50 ms: the availability of the site during each fault. Prints each run, then median and
 * spread per service and the availability table. Prints figures; asserts nothing.
 *
 *   node --import tsx bench/rehearsal-recovery.ts       (BENCH_RUNS=9 for more runs; default 7, at least 5)
 *
 * Uses the rehearsal that is up; brings one up (and down again afterwards) when none is.
 */
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { down } from '../rehearsal/down';
import { waitUntil } from '../rehearsal/http-check';
import { readRehearsalState } from '../rehearsal/rehearsal-state';
import { measureServiceRecovery, type ServiceRecovery, type Tally } from '../rehearsal/service-recovery';
import { loadSettings, rehearsalFiles } from '../rehearsal/settings';
import { sshRun, type SshEndpoint } from '../rehearsal/sshd';
import { SERVICE_NAME_LABEL } from '../rehearsal/swarm';
import { findTool } from '../rehearsal/tools';
import { up } from '../rehearsal/up';
import { platformOutputsSchema, type PlatformOutputs } from '../contract/outputs';
import { SERVICE_NAMES, type ServiceName } from '../contract/services';

const runs = Math.max(5, Number(process.env.BENCH_RUNS || 7));
/** The rehearsal issue's goal: the api healthy through the proxy again within 3 s (median). */
const API_GOAL_MS = 3000;
const settings = loadSettings(resolve(__dirname, '..'));
const files = rehearsalFiles(settings);
const ssh = findTool('ssh') ?? 'ssh';

/** Waits until every service runs one healthy container: each run starts from the steady state. */
async function steadyState(endpoint: SshEndpoint, outputs: PlatformOutputs): Promise<void> {
  const result = await waitUntil(async () => {
    for (const service of SERVICE_NAMES) {
      const name = outputs.services[service].serviceName;
      const statuses = await sshRun(ssh, endpoint, [
        'docker',
        'ps',
        '--filter',
        `label=${SERVICE_NAME_LABEL}=${name}`,
        '--format',
        '{{.Status}}',
      ]);
      if (!/\(healthy\)/.test(statuses) || statuses.split('\n').length !== 1)
        return { state: 'waiting', reason: `${name}: ${statuses || 'no container'}` };
    }
    return { state: 'done' };
  }, 60_000);
  if (result.state !== 'done') throw new Error(`the rehearsal is not healthy: ${result.reason}`);
}

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly sd: number;
}

function spreadOf(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 === 1 ? (sorted[(n - 1) / 2] ?? 0) : ((sorted[n / 2 - 1] ?? 0) + (sorted[n / 2] ?? 0)) / 2;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  return { median, min: sorted[0] ?? 0, max: sorted[n - 1] ?? 0, sd };
}

const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const percent = (t: Tally): string => `${((100 * t.ok) / Math.max(t.total, 1)).toFixed(1)} % (${t.ok}/${t.total})`;
const sum = (tallies: readonly Tally[]): Tally => ({
  ok: tallies.reduce((a, t) => a + t.ok, 0),
  total: tallies.reduce((a, t) => a + t.total, 0),
});

function printSummary(results: Readonly<Record<ServiceName, readonly ServiceRecovery[]>>): void {
  console.log(
    `\ntime to recover through the proxy, per service (docker stop over ssh -> healthy from the replacement), ${runs} runs each:`,
  );
  console.log(
    `${'stopped'.padEnd(10)}${'median'.padStart(9)}${'min'.padStart(9)}${'max'.padStart(9)}${'sd'.padStart(9)}   ${'docker stop (median)'.padStart(20)}   ${'stop returned -> healthy (median)'}`,
  );
  for (const service of SERVICE_NAMES) {
    const r = results[service];
    const ttr = spreadOf(r.map((x) => x.recoverMs));
    const stop = spreadOf(r.map((x) => x.stopMs));
    const after = spreadOf(r.map((x) => x.recoverMs - x.stopMs));
    console.log(
      `${service.padEnd(10)}${s(ttr.median).padStart(9)}${s(ttr.min).padStart(9)}${s(ttr.max).padStart(9)}${s(ttr.sd).padStart(9)}   ${s(stop.median).padStart(20)}   ${s(after.median)}`,
    );
  }
  console.log('\navailability through the proxy during each fault (from the stop to the recovery, a request every 50 ms per path):');
  console.log(`${'stopped'.padEnd(10)}${'"/" (frontend)'.padEnd(26)}${'/api/status (api)'}`);
  for (const service of SERVICE_NAMES) {
    const r = results[service];
    console.log(
      `${service.padEnd(10)}${percent(sum(r.map((x) => x.availability.frontend))).padEnd(26)}${percent(sum(r.map((x) => x.availability.api)))}`,
    );
  }
  const api = spreadOf(results.api.map((x) => x.recoverMs)).median;
  console.log(
    `\ngoal: api healthy through the proxy within ${s(API_GOAL_MS)} (median): ${s(api)}, ${api <= API_GOAL_MS ? 'met' : 'NOT met'}`,
  );
}

async function main(): Promise<void> {
  if (settings.acme !== undefined) throw new Error('the benchmark measures the plain-HTTP rehearsal: unset REHEARSAL_DOMAIN');
  const broughtUp = readRehearsalState(files.state) === undefined;
  if (broughtUp) await up(settings);
  try {
    const state = readRehearsalState(files.state);
    if (state === undefined) throw new Error(`${files.state} is missing after up`);
    const outputs = platformOutputsSchema.parse(JSON.parse(readFileSync(files.outputs, 'utf8')));
    console.log(
      `rehearsal recovery benchmark on ${cpus().length} cores, load average ${loadavg()[0]?.toFixed(2)}, ${runs} runs per service`,
    );
    const results: Record<ServiceName, ServiceRecovery[]> = { frontend: [], api: [], proxy: [] };
    // Interleaved (api, frontend, proxy, api, ...): a drift in the machine's load hits all three alike.
    for (let i = 1; i <= runs; i += 1) {
      for (const service of SERVICE_NAMES) {
        await steadyState(state.ssh, outputs);
        const r = await measureServiceRecovery(ssh, state.ssh, outputs, service);
        results[service].push(r);
        console.log(
          `run ${i} ${service.padEnd(8)} healthy through the proxy after ${String(r.recoverMs).padStart(5)} ms (docker stop over ssh ${r.stopMs} ms); ` +
            `"/" ${percent(r.availability.frontend)}, /api/status ${percent(r.availability.api)}`,
        );
      }
    }
    printSummary(results);
  } finally {
    if (broughtUp) await down(settings, { purge: false });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});

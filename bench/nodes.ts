/**
 * Cost of the multi-node rehearsal (`rehearsal up --nodes N`, default 3): time to come up cold
 * (the nodes' data roots deleted first: every node loads the images again; the manager's images
 * and bases stay cached), warm from stopped (`down` then `up`: data roots kept), and again while
 * up (idempotent); memory per node (resident set of every process in the node's network
 * namespace: its dockerd, containerd, shims and containers); the time to go down. Prints figures
 * as JSON and a Markdown table; asserts nothing. Run under the e2e lock when others use docker:
 *
 *   flock /tmp/platform-e2e.lock npm run -s bench:nodes       (BENCH_NODES=3)
 *
 * Leaves nothing running (it ends with `down`).
 */
import { readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { down } from '../rehearsal/down';
import { netnsPids, nodeFiles, nodeSlots } from '../rehearsal/nodes';
import { Progress } from '../rehearsal/progress';
import { loadSettings } from '../rehearsal/settings';
import { up } from '../rehearsal/up';

const count = Number(process.env.BENCH_NODES || 3);
const settings = loadSettings(resolve(__dirname, '..'));
const quiet = new Progress(() => undefined);

async function timed(what: () => Promise<void>): Promise<number> {
  const started = Date.now();
  await what();
  return Date.now() - started;
}

/** Resident set (kB, VmRSS) of a process, 0 when it is gone or a kernel thread. */
function rssKb(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Proportional set (kB, Pss of smaps_rollup): shared pages split among the processes sharing them. */
function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function commandName(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

interface MemoryView {
  engineMiB: number;
  containersMiB: number;
  totalMiB: number;
}

interface NodeMemory {
  node: string;
  /** Proportional sets summed (shared pages split among their sharers): what the node adds. */
  pss: MemoryView;
  /** Resident sets summed (a shared page counted once per process): an upper bound. */
  rss: MemoryView;
  processes: number;
}

const ENGINE = ['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2'];

async function nodeMemory(): Promise<readonly NodeMemory[]> {
  const rows: NodeMemory[] = [];
  const mib = (kb: number) => Math.round(kb / 102.4) / 10;
  const view = (s: { engine: number; containers: number }): MemoryView => ({
    engineMiB: mib(s.engine),
    containersMiB: mib(s.containers),
    totalMiB: mib(s.engine + s.containers),
  });
  for (const slot of nodeSlots(count)) {
    const rss = { engine: 0, containers: 0 };
    const pss = { engine: 0, containers: 0 };
    const pids = await netnsPids(slot);
    for (const pid of pids) {
      const part = ENGINE.includes(commandName(pid)) ? 'engine' : 'containers';
      rss[part] += rssKb(pid);
      pss[part] += pssKb(pid);
    }
    rows.push({ node: slot.name, pss: view(pss), rss: view(rss), processes: pids.length });
  }
  return rows;
}

async function main(): Promise<void> {
  process.stdout.write(`bench:nodes: ${count} nodes\n`);
  await down(settings, { purge: false }, quiet);
  // Cold for the nodes: their data roots go, so each loads the images again.
  for (const slot of nodeSlots(count)) rmSync(nodeFiles(settings, slot).dir, { recursive: true, force: true });
  const coldMs = await timed(() => up(settings, quiet, { nodes: count }));
  const memory = await nodeMemory();
  const idempotentMs = await timed(() => up(settings, quiet, { nodes: count }));
  const downMs = await timed(() => down(settings, { purge: false }, quiet));
  const warmMs = await timed(() => up(settings, quiet, { nodes: count }));
  const downAgainMs = await timed(() => down(settings, { purge: false }, quiet));
  const figures = { nodes: count, coldMs, warmMs, idempotentMs, downMs, downAgainMs, memory };
  process.stdout.write(`${JSON.stringify(figures)}\n\n`);
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  process.stdout.write(
    [
      '| measure | value |',
      '| --- | --- |',
      `| up, cold (node data roots empty: images loaded into every node) | ${s(coldMs)} |`,
      `| up, warm (after down; data roots kept) | ${s(warmMs)} |`,
      `| up again while up (idempotent) | ${s(idempotentMs)} |`,
      `| down | ${s(downMs)}, ${s(downAgainMs)} |`,
      ...memory.map(
        (m) =>
          `| memory ${m.node}, engine (dockerd + containerd + shims) / containers / total | PSS ${m.pss.engineMiB} / ${m.pss.containersMiB} / ${m.pss.totalMiB} MiB; RSS ${m.rss.engineMiB} / ${m.rss.containersMiB} / ${m.rss.totalMiB} MiB (${m.processes} processes) |`,
      ),
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:nodes: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

/**
 * End to end: the shipped instance and zone experiments on the multi-node rehearsal
 * (`rehearsal up --nodes 3`), through the chaos CLI as a user runs them: terminate-instance.yaml
 * (a node's power cut; the stand-in Auto Scaling group replaces it), drain-instance.yaml (a node
 * drained through the swarm manager, made active again) and experiments-local/zone-loss.yaml
 * (zone-a's two nodes cut off for 30 s). Each must complete, with the site answering through the
 * stand-in load balancer all along: the fleet, unlike one instance, has somewhere else to serve
 * from. The journal's figures (time to recover, availability per probe) are printed for the README.
 *
 * Self-contained like multi-node.test.ts: takes the single-node rehearsal down, brings three nodes
 * up, and takes them down at the end (the next file's own `up` brings the single node back).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { expectExit, runChaos } from './support/chaos-cli';
import { recoveryLine } from './support/experiment-checks';
import { activityIn, readJournal, type Journal } from './support/journal';
import { REPO_ROOT, runRehearsal } from './support/rehearsal-cli';

const NO_ACME = { REHEARSAL_DOMAIN: '', REHEARSAL_ACME_DIRECTORY: '', REHEARSAL_ACME_CA: '' };
let dir = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'e2e-multi-node-experiments-'));
  expect((await runRehearsal(['down'])).code).toBe(0);
  const up = await runRehearsal(['up', '--nodes', '3'], NO_ACME);
  if (up.code !== 0) throw new Error(`rehearsal up --nodes 3: exit ${up.code}\n${up.output}`);
});

afterAll(async () => {
  const down = await runRehearsal(['down']);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  expect(down.code).toBe(0);
});

interface NodeStatus {
  readonly name: string;
  readonly engine: string;
  readonly swarmState: string;
  readonly availability: string;
  readonly link: string;
  readonly replacements: number;
}

function nodeStatus(): NodeStatus[] {
  const out = execFileSync(path.join(REPO_ROOT, '.rehearsal', 'node-control'), ['status'], { encoding: 'utf8', timeout: 60_000 });
  return (JSON.parse(out) as { nodes: NodeStatus[] }).nodes;
}

async function run(file: string, name: string): Promise<Journal> {
  const journal = path.join(dir, `${name}.json`);
  const result = await runChaos(path.join(REPO_ROOT, file), { journal, timeoutMs: 600_000, env: NO_ACME });
  console.log(`${name} (${(result.ms / 1000).toFixed(1)} s): ${result.stdout.trim()}`);
  expectExit(result, 0);
  const j = readJournal(journal);
  console.log(`${name}: ${recoveryLine(j)}`);
  expect(j.status).toBe('completed');
  expect(j.deviated).toBe(false);
  return j;
}

/** Every sampled probe of the journal at `min` % or more over the fault window. */
function expectAvailableAtLeast(journal: Journal, min: number): void {
  const probes = journal.recovery?.probes ?? [];
  expect(probes.length).toBeGreaterThan(0);
  for (const p of probes) {
    expect(p.total).toBeGreaterThan(10);
    expect(typeof p.availability).toBe('number');
    expect(p.availability ?? 0).toBeGreaterThanOrEqual(min);
  }
}

function expectFleetWhole(): void {
  const nodes = nodeStatus();
  expect(nodes.map((n) => [n.name, n.engine, n.swarmState, n.availability, n.link])).toEqual(
    ['node-1', 'node-2', 'node-3'].map((name) => [name, 'running', 'ready', 'active', 'up']),
  );
}

test('terminate-instance.yaml: a node loses its power, the site keeps answering, a replacement joins and runs every service', async () => {
  const before = nodeStatus();
  const journal = await run('chaos/experiments/terminate-instance.yaml', 'terminate-instance');
  const fault = activityIn(journal.run, 'terminate-the-instance');
  expect(fault.status).toBe('succeeded');
  const evidence = JSON.stringify(fault.output);
  expect(evidence).toMatch(/killedPids/);
  const terminated = /"node":"(node-\d)"/.exec(evidence)?.[1];
  expect(terminated).toBeDefined();
  const after = nodeStatus();
  const replaced = (name: string) =>
    (after.find((n) => n.name === name)?.replacements ?? 0) - (before.find((n) => n.name === name)?.replacements ?? 0);
  expect(replaced(terminated ?? '')).toBe(1);
  expectAvailableAtLeast(journal, 99);
  expectFleetWhole();
});

test('drain-instance.yaml: a node drained and made active again, the site keeps answering, its tasks come back', async () => {
  const journal = await run('chaos/experiments/drain-instance.yaml', 'drain-instance');
  const fault = journal.run.find((r) => r.activity.type === 'action');
  expect(fault?.status).toBe('succeeded');
  expect(JSON.stringify(fault?.output)).toMatch(/tasks|Tasks/);
  expectAvailableAtLeast(journal, 99);
  expectFleetWhole();
});

test('zone-loss.yaml: zone-a cut off for 30 s, the site answers from zone-b, the zone rejoins', async () => {
  const journal = await run('chaos/experiments-local/zone-loss.yaml', 'zone-loss');
  const cut = activityIn(journal.run, 'cut-zone-a-for-30s');
  expect(cut.status).toBe('succeeded');
  expect(JSON.stringify(cut.output)).toMatch(/"down"/);
  const whileCut = activityIn(journal.run, 'nodes-while-cut');
  expect(JSON.stringify(whileCut.output)).toMatch(/"healthy":false/);
  expectAvailableAtLeast(journal, 99);
  expectFleetWhole();
  expect(execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })).not.toMatch(/platform-\S+.*state DOWN/);
});

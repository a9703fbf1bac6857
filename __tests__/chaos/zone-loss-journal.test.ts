/**
 * net:cut-zone through the engine, as a run makes it: the journal holds the links down and up as
 * the action's output, the rollback's restore, and the run's adapters name the nodes port. The
 * host is faked at the HostCommands boundary, answering as the rehearsal's node-control does.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_CATALOG } from '../../chaos/drivers';
import { systemClock } from '../../chaos/engine/clock';
import { runExperiment } from '../../chaos/engine/runner';
import { commandLine } from '../../chaos/faults/command-words';
import type { HostAccess } from '../../chaos/faults/ports';
import { parseExperimentDocument } from '../../chaos/model/load-experiment';
import { bindTarget } from '../../chaos/targets/bind-target';
import type { Journal } from '../../contract/journal';
import { noClients } from './helpers/driver-context';
import { outputsFor } from './helpers/outputs-fixture';

const NODE_CONTROL = '/repo/.rehearsal/node-control';
const NODES = [
  { name: 'node-1', zone: 'zone-a', address: '10.210.0.11' },
  { name: 'node-2', zone: 'zone-b', address: '10.210.0.12' },
];

it('the journal records the cut, the restore and the rollback', async () => {
  const sent: string[][] = [];
  const host: HostAccess = {
    name: 'ssh',
    where: 'fake@127.0.0.1',
    host: '127.0.0.1',
    withSession: (_o, _s, fn) =>
      fn({
        async exec(words) {
          sent.push([...words]);
          const [first, sub, zone] = words;
          let stdout = '';
          if (first === NODE_CONTROL) {
            const state = sub === 'cut-zone' ? 'down' : 'up';
            stdout = JSON.stringify({ zone, nodes: ['node-1'], links: [{ name: 'veth-node-1', state }] });
          } else if (words[2]?.includes('setsid')) stdout = 'pid 4242\n';
          return { command: commandLine(words), code: 0, stdout, stderr: '' };
        },
      }),
    httpGet: () => Promise.reject(new Error('no HTTP')),
  };
  const outputs = { ...outputsFor('http://127.0.0.1:1'), nodes: NODES, nodeControl: [NODE_CONTROL] };
  const experiment = parseExperimentDocument(
    {
      title: 'zone cut',
      description: 'cut and restore',
      tags: ['zone'],
      'steady-state-hypothesis': { title: 'nothing', probes: [] },
      method: [
        { type: 'action', name: 'cut', provider: { type: 'fault', id: 'net:cut-zone', arguments: { zone: 'zone-a', durationSeconds: 1 } } },
      ],
      'rollback-strategy': 'always',
    },
    'zone.yaml',
    { catalog: FAULT_CATALOG, env: {} },
  );
  const dir = await mkdtemp(join(tmpdir(), 'chaos-zone-'));
  const journalPath = join(dir, 'journal.json');
  await runExperiment(experiment, {
    outputs: { file: 'outputs.json', format: 'plain', stack: null, outputs },
    journalPath,
    interrupt: new AbortController().signal,
    events: { emit: () => undefined },
    clock: systemClock,
    target: bindTarget(outputs, { clients: noClients, localHost: host }),
    cwd: dir,
    processEnv: process.env,
  });
  const journal: Journal = JSON.parse(await readFile(journalPath, 'utf8'));
  expect(journal.adapters).toMatchObject({ target: 'local', nodes: 'node-control' });
  const cut = journal.run.find((r) => r.activity.name === 'cut');
  expect(cut?.status).toBe('succeeded');
  expect(cut?.output).toMatchObject({
    zone: 'zone-a',
    nodes: ['node-1'],
    linksDown: { links: [{ name: 'veth-node-1', state: 'down' }] },
    linksUp: { links: [{ name: 'veth-node-1', state: 'up' }] },
  });
  expect(journal.rollbacks.map((r) => [r.status, r.output])).toEqual([
    ['succeeded', expect.objectContaining({ zone: 'zone-a', links: [{ name: 'veth-node-1', state: 'up' }] })],
  ]);
  expect(sent.filter((w) => w[0] === NODE_CONTROL).map((w) => w.slice(1))).toEqual([
    ['cut-zone', 'zone-a'],
    ['restore-zone', 'zone-a'],
    ['restore-zone', 'zone-a'],
  ]);
});

import { link, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SERVICE_NAMES, type ServiceName } from '../../contract/services';
import { FAULT_CATALOG } from '../drivers';
import { systemErrorCode, UsageError } from '../errors';
import type { CliIo } from '../io';
import { loadExperiment } from '../model/load-experiment';
import { DEFAULT_INIT_FILE, type InitFault } from './init-options';

export interface InitCommandOptions {
  /** Where to write the experiment (default {@link DEFAULT_INIT_FILE}). */
  readonly file: string | undefined;
  readonly service: ServiceName;
  readonly fault: InitFault;
  /** Replace an existing file. */
  readonly force: boolean;
}

/** The JSON Schema shipped with the tool, which the written file's `$schema` comment points at. */
const PACKAGE_ROOT = join(__dirname, '..', '..');
const SCHEMA_FILE = join(PACKAGE_ROOT, 'chaos', 'schema', 'experiment.schema.json');

/** The path through the proxy that shows the service is up ("/" for the frontend and the proxy itself). */
const PROXY_PATHS = [
  { probe: 'frontend-through-proxy', path: '/', bodyMatch: null },
  { probe: 'api-through-proxy', path: '/api/status', bodyMatch: String.raw`'"service"\s*:\s*"api"'` },
] as const;

function faultAction(service: ServiceName, fault: InitFault): string {
  if (fault === 'ecs:stop-task') {
    return `    name: stop-${service}-task
    provider: { type: fault, id: 'ecs:stop-task', arguments: { service: ${service}, reason: 'chaos: starter experiment' } }`;
  }
  return `    name: docker-stop-${service}
    provider: { type: fault, id: 'ssh:docker-stop', arguments: { service: ${service} } }`;
}

/** How the text names each service. */
const SERVICE_LABELS: Readonly<Record<ServiceName, string>> = { api: 'API', frontend: 'frontend', proxy: 'proxy' };

/** Folds prose into lines of at most 100 characters, each with `indent`. */
function wrap(text: string, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line.length > 0 && indent.length + line.length + 1 + word.length > 100) {
      lines.push(indent + line);
      line = word;
    } else {
      line = line.length === 0 ? word : `${line} ${word}`;
    }
  }
  return [...lines, indent + line].join('\n');
}

/** The experiment's text: YAML with comments, so that it teaches as it is read. */
export function starterExperiment(service: ServiceName, fault: InitFault, schemaPath: string): string {
  const outage = service === 'proxy';
  const name = SERVICE_LABELS[service];
  const how =
    fault === 'ecs:stop-task'
      ? `the ${name}'s task is stopped by the orchestrator (ECS StopTask on AWS, swarm locally) and a new one started`
      : `the ${name}'s container is stopped with docker stop on the host (over SSM or SSH) and replaced`;
  const expected = outage
    ? 'The site is unreachable through the proxy meanwhile: the outage is expected, so the objective asks for no minimum availability. "/" and /api/status answer through the proxy again within 60 s.'
    : `Every service runs as desired again within 60 s. With two copies of the ${name} (copy 1 is the one stopped), "/" and /api/status stay 100 % available through the proxy: it retries a request that meets the stopped copy on the other one.`;
  const services = [...SERVICE_NAMES.filter((s) => s !== service), service];
  const stable = services
    .map(
      (s) => `    - type: probe
      name: ${s}-runs-as-desired
      provider: { type: fault, id: 'ecs:service-stable', arguments: { service: ${s} } }
      tolerance: { type: jsonpath, path: '$.stable', expect: true }`,
    )
    .join('\n');
  const http = PROXY_PATHS.map(
    (p) => `    - type: probe
      name: ${p.probe}
      provider: { type: fault, id: 'http:get', arguments: { path: ${p.path}, ${p.bodyMatch === null ? '' : `bodyMatch: ${p.bodyMatch}, `}timeoutMs: 2000 } }
      tolerance: 200`,
  ).join('\n');
  const sampled = PROXY_PATHS.map(
    (p) => `    - probe: ${p.probe}
${outage ? '' : '      min: 100\n'}      rate: 20
      timeout: 2`,
  ).join('\n');
  return `# yaml-language-server: $schema=${schemaPath}
#
# A starter experiment written by \`chaos init --service ${service} --fault ${fault}\`: edit it, then
#   npx chaos validate <this file>
#   npx chaos run <this file> --outputs outputs.json --stack dev --dry-run
#   npx chaos run <this file> --outputs outputs.json --stack dev --yes
# (or, against the local rehearsal, without --outputs: .rehearsal/outputs.json is read).
# \`npx chaos list\` shows every fault and probe; chaos/README.md explains each block.
title: The ${name} comes back after ${fault === 'ecs:stop-task' ? 'its task is stopped by the orchestrator' : 'docker stop on the host'}
description: >
${wrap(`Expected outcome: ${how}. ${expected}`, '  ')}
tags: [starter, ${service}, ${fault.split(':')[0] ?? fault}]

# Checked before the fault (it must hold, or nothing is injected) and after the recovery.
steady-state-hypothesis:
  title: Every service runs as desired and the site answers through the proxy
  probes:
${stable}
${http}

# The fault, from the catalog (\`npx chaos list\`). Destructive: \`run\` needs --yes.
method:
  - type: action
${faultAction(service, fault)}

# After the method: the steady state must hold again within 60 s (polled every 0.2 s), while the
# paths through the proxy are sampled 20 times a second for the availability figures.
recovery:
  within: 60
  poll: 0.2
  availability:
${sampled}

# The fault is undone whatever the strategy; the strategy decides the experiment's \`rollbacks\`
# (none here): always, or chaostoolkit's default (skipped when the run fails or is interrupted),
# never and deviated; \`run --rollback-strategy\` overrides this.
rollback-strategy: always
`;
}

/** What the `$schema` comment names: the shipped schema, relative to the file in this package (as the shipped experiments), else absolute. */
function schemaReference(path: string): string {
  const inPackage = !relative(PACKAGE_ROOT, path).startsWith('..');
  if (!inPackage) return SCHEMA_FILE.split(sep).join('/');
  const relativePath = relative(dirname(path), SCHEMA_FILE).split(sep).join('/');
  return relativePath.startsWith('.') ? relativePath : `./${relativePath}`;
}

/**
 * `chaos init`: writes a starter experiment for this stack. The text is loaded back through the
 * experiment loader before it takes the file's name, so what it writes always validates, and an
 * existing file is never replaced without --force (nor half-written: a sibling file is renamed or linked).
 */
export async function initCommand(options: InitCommandOptions, io: CliIo): Promise<number> {
  const named = options.file ?? DEFAULT_INIT_FILE;
  const extension = extname(named).toLowerCase();
  if (extension !== '.yaml' && extension !== '.yml') {
    throw new UsageError(`${named}: init writes YAML (with comments): name the file .yaml or .yml`);
  }
  const path = isAbsolute(named) ? named : resolve(io.cwd, named);
  const draft = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(draft, starterExperiment(options.service, options.fault, schemaReference(path)), { encoding: 'utf8', flag: 'wx' });
  } catch (error) {
    const code = systemErrorCode(error);
    if (code === 'ENOENT') throw new UsageError(`${named}: the directory ${dirname(named)} does not exist: create it first`);
    throw error;
  }
  try {
    await loadExperiment(named, draft, { catalog: FAULT_CATALOG, env: io.env, cwd: io.cwd });
    if (options.force) {
      await rename(draft, path);
    } else {
      // link() refuses an existing name atomically, where a check and then a write would race.
      await link(draft, path).catch((error: unknown) => {
        if (systemErrorCode(error) === 'EEXIST') throw new UsageError(`${named} already exists: add --force to replace it`);
        throw error;
      });
    }
  } finally {
    await rm(draft, { force: true });
  }
  io.stdout(
    `wrote ${named}: ${options.fault} on the ${options.service}; next: npx chaos validate ${named}, then npx chaos run ${named} --outputs outputs.json --dry-run\n`,
  );
  return 0;
}

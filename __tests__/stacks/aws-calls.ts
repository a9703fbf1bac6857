import { FAULT_CATALOG } from '../../chaos/drivers';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The IAM service prefix of each AWS SDK v3 client package the chaos module may use. */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  'client-ecs': 'ecs',
  'client-ec2': 'ec2',
  'client-auto-scaling': 'autoscaling',
  'client-cloudwatch': 'cloudwatch',
  'client-ssm': 'ssm',
  'client-sts': 'sts',
};

/** One AWS API call found in the source: where, and the IAM action it needs. */
export interface AwsCall {
  readonly file: string;
  readonly command: string;
  readonly action: string;
}

const IMPORT = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g;

/**
 * The AWS calls one source file makes: every `XxxCommand` imported from an `@aws-sdk/client-*` package
 * and constructed with `new`. Each SDK command is named after its API operation, and the IAM action
 * is `<prefix>:<operation>` for every operation the chaos module calls (none of them is one of the few
 * whose action is named differently). A client package without a known prefix is an error, so a new
 * service cannot slip past the policy.
 */
export function awsCallsIn(source: string, file = '<source>'): AwsCall[] {
  const calls: AwsCall[] = [];
  for (const [, names = '', pkg = ''] of source.matchAll(IMPORT)) {
    for (const spec of names.split(',').map((n) => n.trim().replace(/^type\s+/, ''))) {
      const [imported = '', local = imported] = spec.split(/\s+as\s+/);
      if (!imported.endsWith('Command') || !new RegExp(`\\bnew\\s+${local}\\s*\\(`).test(source)) continue;
      const prefix = IAM_PREFIX[pkg];
      if (prefix === undefined) throw new Error(`${file}: @aws-sdk/${pkg} has no IAM prefix in IAM_PREFIX (__tests__/stacks/aws-calls.ts)`);
      calls.push({ file, command: imported, action: `${prefix}:${imported.replace(/Command$/, '')}` });
    }
  }
  return calls;
}

function typescriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return typescriptFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every AWS call under `dir` (the chaos module), files named relative to `root`. */
export function awsCallsUnder(root: string, dir: string): AwsCall[] {
  return typescriptFiles(join(root, dir)).flatMap((path) => awsCallsIn(readFileSync(path, 'utf8'), relative(root, path)));
}

/** The calls whose action none of the granted actions covers (IAM's "*" and "?" wildcards honoured). */
export function notAllowed(calls: readonly AwsCall[], granted: readonly string[]): AwsCall[] {
  const patterns = granted.map(
    (g) =>
      new RegExp(
        `^${g
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
        'i',
      ),
  );
  return calls.filter((call) => !patterns.some((p) => p.test(call.action)));
}

const RELATIVE_IMPORT = /(?:import|export)\s[^'";]*?from\s*'(\.[^']+)'/g;

/** The AWS adapter that serves each port on the aws target (chaos/targets/bind-target.ts); the others call no AWS API. */
// On a default deployment the host port is served over SSM (the outputs' hostAccess), so host faults need its calls.
export const AWS_PORT_ADAPTERS: Readonly<Record<string, string>> = {
  orchestrator: 'chaos/adapters/ecs/ecs-orchestrator.ts',
  host: 'chaos/adapters/ssm/ssm-host-access.ts',
};

/** The actions a file may need: its own calls and those of every file it imports, transitively. */
export function actionsReachableFrom(root: string, file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return new Set();
  seen.add(file);
  const source = readFileSync(join(root, file), 'utf8');
  const actions = new Set(awsCallsIn(source, file).map((c) => c.action));
  for (const [, spec = ''] of source.matchAll(RELATIVE_IMPORT)) {
    const target = relative(root, join(root, file, '..', `${spec}.ts`));
    if (!target.startsWith('chaos/')) continue;
    for (const action of actionsReachableFrom(root, target, seen)) actions.add(action);
  }
  return actions;
}

/**
 * What one fault module may call on the aws target: the calls its driver file reaches, and those of
 * the adapter of each port it requires. The driver is the file under chaos/drivers/ that declares its id.
 */
export function actionsOfFault(root: string, faultId: string): string[] {
  const file = typescriptFiles(join(root, 'chaos/drivers'))
    .map((path) => relative(root, path))
    .find((path) => readFileSync(join(root, path), 'utf8').includes(`id: '${faultId}'`));
  if (file === undefined) throw new Error(`no driver under chaos/drivers declares the fault ${faultId}`);
  const actions = actionsReachableFrom(root, file);
  // The ports as the module declares them (its descriptor), not as its text happens to spell them.
  for (const { port } of FAULT_CATALOG.get(faultId)?.requires ?? []) {
    const adapter = AWS_PORT_ADAPTERS[port];
    if (adapter !== undefined) for (const action of actionsReachableFrom(root, adapter)) actions.add(action);
  }
  return [...actions].sort();
}

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The provider the stack is built for (@cdktf/provider-aws 20.1.0 is generated from it). */
export const AWS_PROVIDER = { source: 'registry.terraform.io/hashicorp/aws', version: '5.100.0' } as const;

/** Terraform or its offline provider mirror could not be found. The message says how to fix it. */
export class TerraformUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TerraformUnavailableError';
  }
}

/** A Terraform command failed; carries its output so the caller can show the provider's own words. */
export class TerraformCommandError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly output: string,
  ) {
    super(`terraform ${args.join(' ')} failed:\n${output}`);
    this.name = 'TerraformCommandError';
  }
}

const platformDir = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/**
 * True when `dir` is a filesystem mirror holding the AWS provider version we need, in either layout
 * Terraform reads: unpacked (`<version>/<os_arch>/`) or packed (the zip `terraform providers mirror` writes).
 */
function isProviderMirror(dir: string): boolean {
  const providerDir = join(dir, AWS_PROVIDER.source);
  return (
    existsSync(join(providerDir, AWS_PROVIDER.version, platformDir)) ||
    existsSync(join(providerDir, `terraform-provider-aws_${AWS_PROVIDER.version}_${platformDir}.zip`))
  );
}

/**
 * Where the hashicorp/aws provider can be installed from without a network, in this order:
 * `TF_PROVIDER_MIRROR` (explicit), Terraform's own implied local mirror directories, then a shallow
 * look (two levels) under /opt and /usr/local/share for a directory holding the provider.
 */
function discoverProviderMirror(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TF_PROVIDER_MIRROR) {
    if (!isProviderMirror(env.TF_PROVIDER_MIRROR)) {
      throw new TerraformUnavailableError(
        `TF_PROVIDER_MIRROR=${env.TF_PROVIDER_MIRROR} does not hold ${AWS_PROVIDER.source} ${AWS_PROVIDER.version} for ${platformDir}; ` +
          'point it at the directory that contains registry.terraform.io/',
      );
    }
    return env.TF_PROVIDER_MIRROR;
  }
  const dataDirs = (env.XDG_DATA_DIRS || '/usr/local/share:/usr/share').split(delimiter);
  const implied = [
    join(homedir(), '.terraform.d', 'plugins'),
    join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'terraform', 'plugins'),
    ...dataDirs.map((d) => join(d, 'terraform', 'plugins')),
  ];
  const found = implied.find(isProviderMirror);
  if (found) return found;
  for (const root of ['/opt', '/usr/local/share']) {
    for (const dir of childDirs(root)) {
      if (isProviderMirror(dir)) return dir;
      const deeper = childDirs(dir).find(isProviderMirror);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

function childDirs(dir: string): string[] {
  try {
    return readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((p) => {
        try {
          return statSync(p).isDirectory();
        } catch {
          return false; // a dangling link or an unreadable entry is simply not a mirror
        }
      });
  } catch {
    return [];
  }
}

/** The terraform binary: `TERRAFORM_BIN`, or `terraform` on the PATH. */
function discoverTerraform(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.TERRAFORM_BIN) return existsSync(env.TERRAFORM_BIN) ? env.TERRAFORM_BIN : undefined;
  for (const dir of (env.PATH || '').split(delimiter)) {
    const candidate = join(dir, 'terraform');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** A Terraform CLI set up to install providers only from the local mirror. */
export interface OfflineTerraform {
  readonly bin: string;
  readonly mirror: string;
  /** Environment for every terraform command (its own CLI config, no checkpoint calls). */
  readonly env: NodeJS.ProcessEnv;
  /** Inits run one at a time: two inits filling the shared plugin cache at once corrupt it. */
  readonly initQueue: { tail: Promise<unknown> };
}

/**
 * Finds Terraform and the provider mirror and writes a CLI config that installs hashicorp/* providers
 * from the mirror only (the machine's own TF_CLI_CONFIG_FILE is ignored on purpose: it may not exist).
 */
export function offlineTerraform(workDir: string, env: NodeJS.ProcessEnv = process.env): OfflineTerraform {
  const bin = discoverTerraform(env);
  if (!bin) {
    throw new TerraformUnavailableError('terraform not found: install Terraform >= 1.5 on the PATH or set TERRAFORM_BIN to its path');
  }
  const mirror = discoverProviderMirror(env);
  if (!mirror) {
    throw new TerraformUnavailableError(
      `no filesystem mirror of ${AWS_PROVIDER.source} ${AWS_PROVIDER.version} found: set TF_PROVIDER_MIRROR to a directory ` +
        'that contains registry.terraform.io/hashicorp/aws/5.100.0/<os_arch>/ (terraform providers mirror <dir> makes one)',
    );
  }
  mkdirSync(workDir, { recursive: true });
  const cliConfig = join(workDir, 'terraform.rc');
  writeFileSync(
    cliConfig,
    [
      'provider_installation {',
      `  filesystem_mirror {`,
      `    path    = ${JSON.stringify(mirror)}`,
      '    include = ["registry.terraform.io/hashicorp/*"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  return {
    bin,
    mirror,
    env: {
      ...env,
      TF_CLI_CONFIG_FILE: cliConfig,
      CHECKPOINT_DISABLE: '1',
      TF_IN_AUTOMATION: '1',
      TF_INPUT: '0',
      // One shared cache: init copies nothing when the provider is already there.
      TF_PLUGIN_CACHE_DIR: ensureDir(join(workDir, 'plugin-cache')),
    },
    initQueue: { tail: Promise.resolve() },
  };
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Runs one terraform command in `dir`; rejects with TerraformCommandError carrying its output. */
export async function terraform(tf: OfflineTerraform, dir: string, args: readonly string[]): Promise<string> {
  if (args[0] === 'init') {
    const turn = tf.initQueue.tail.then(() => runTerraform(tf, dir, args));
    tf.initQueue.tail = turn.catch(() => undefined);
    return turn;
  }
  return runTerraform(tf, dir, args);
}

async function runTerraform(tf: OfflineTerraform, dir: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(tf.bin, ['-chdir=' + dir, ...args], {
      env: tf.env,
      maxBuffer: 256 * 1024 * 1024,
    });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new TerraformCommandError(args, `${e.stderr ?? ''}${e.stdout ?? ''}` || e.message);
  }
}

/**
 * Provider settings that let `terraform plan` run with no AWS account and no network: fake static
 * credentials, and every check that would call AWS switched off. Written as an override file so the
 * synthesized configuration itself stays untouched.
 */
const OFFLINE_PROVIDER_OVERRIDE = {
  provider: {
    aws: {
      access_key: 'AKIAOFFLINEPLANONLY00',
      secret_key: 'offline-plan-only',
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: 'true',
      skip_region_validation: true,
      // The account is not asked for, so an allowedAccountIds guard would refuse the empty account id.
      allowed_account_ids: null,
    },
  },
} as const;

/**
 * Writes the offline provider override, and a local backend whose state lives in the stack directory
 * (cdktf's default backend path points into the project; a remote backend would need credentials).
 * JSON override files are read by Terraform for both the JSON and the HCL synth.
 */
export function writeOfflineOverride(stackDir: string, statePath = join(stackDir, 'offline.tfstate')): string {
  writeFileSync(join(stackDir, 'offline_override.tf.json'), JSON.stringify(OFFLINE_PROVIDER_OVERRIDE, null, 2));
  writeFileSync(
    join(stackDir, 'backend_override.tf.json'),
    JSON.stringify({ terraform: { backend: { local: { path: statePath } } } }, null, 2),
  );
  return statePath;
}

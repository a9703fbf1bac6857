import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

/** Files of a stack directory that are not its configuration: Terraform's own and the review's. */
const IGNORED = /^(\.terraform(\.lock\.hcl)?|.*_override\.tf\.json|.*\.tfstate(\.backup)?|.*\.plan)$/;

function files(dir: string, root = dir): string[] {
  return readdirSync(dir)
    .filter((name) => !IGNORED.test(name))
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? files(path, root) : [relative(root, path)];
    })
    .sort();
}

/** The synthesized configuration without its backend: where the state lives says nothing about what is planned. */
function configuration(file: string): unknown {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { terraform?: { backend?: unknown } };
  if (json.terraform) delete json.terraform.backend;
  return json;
}

/**
 * True when the head's synthesized stack is the base's (every file the same, `cdk.tf.json` compared
 * without its backend, whose local path names the directory synth ran in): planning it would show
 * nothing, so the review does not.
 */
export function sameConfiguration(baseDir: string, headDir: string): boolean {
  if (!existsSync(baseDir) || !existsSync(headDir)) return false;
  const names = files(baseDir);
  if (!isDeepStrictEqual(names, files(headDir))) return false;
  return names.every((name) =>
    name === 'cdk.tf.json'
      ? isDeepStrictEqual(configuration(join(baseDir, name)), configuration(join(headDir, name)))
      : readFileSync(join(baseDir, name)).equals(readFileSync(join(headDir, name))),
  );
}

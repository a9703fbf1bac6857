import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A commit that is HEAD with one file's content replaced, written with git plumbing into a scratch
 * index: no branch moves, the working tree and the real index stay as they are, and nothing refers
 * to the commit (git gc drops it). For a review test or benchmark that needs a base differing in one
 * known way. Returns its sha.
 */
export function scratchCommit(repo: string, path: string, content: string): string {
  const scratch = mkdtempSync(join(tmpdir(), 'scratch-commit-'));
  const identity = {
    GIT_AUTHOR_NAME: 'review',
    GIT_AUTHOR_EMAIL: 'review@localhost',
    GIT_COMMITTER_NAME: 'review',
    GIT_COMMITTER_EMAIL: 'review@localhost',
  };
  const git = (args: string[]) =>
    execFileSync('git', args, {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, ...identity, GIT_INDEX_FILE: join(scratch, 'index') },
    }).trim();
  try {
    writeFileSync(join(scratch, 'content'), content);
    const blob = git(['hash-object', '-w', join(scratch, 'content')]);
    git(['read-tree', 'HEAD']);
    git(['update-index', '--cacheinfo', `100644,${blob},${path}`]);
    return git(['commit-tree', git(['write-tree']), '-p', 'HEAD', '-m', `scratch: ${path} changed`]);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** HEAD with dev's instance type in config/environments.json set to `instanceType`. */
export function baseWithDevInstanceType(repo: string, instanceType: string): string {
  const file = 'config/environments.json';
  const config = JSON.parse(execFileSync('git', ['show', `HEAD:${file}`], { cwd: repo, encoding: 'utf8' })) as {
    environments: { name: string; instanceType?: string }[];
  };
  config.environments = config.environments.map((e) => (e.name === 'dev' ? { ...e, instanceType } : e));
  return scratchCommit(repo, file, `${JSON.stringify(config, null, 2)}\n`);
}

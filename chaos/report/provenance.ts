import { readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { gitCommit } from '../journal/git-commit';

/**
 * Where a shared report came from, and how it names files: relative to the report, never by a path
 * that only exists on the machine that made it.
 */

/** The tool that made the report: its package.json version and, in a git checkout, its commit. */
export interface ToolProvenance {
  readonly name: string;
  readonly version: string;
  /** Short sha of the checkout the tool runs from; null outside a git checkout (or without git). */
  readonly commit: string | null;
}

/** The repository root: chaos/report/ is two levels below it. */
const REPO_ROOT = resolve(__dirname, '..', '..');

function packageJson(): { name: string; version: string } {
  const raw = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
  return { name: typeof raw.name === 'string' ? raw.name : 'chaos', version: typeof raw.version === 'string' ? raw.version : 'unknown' };
}

export async function toolProvenance(): Promise<ToolProvenance> {
  const { name, version } = packageJson();
  return { name, version, commit: await gitCommit(REPO_ROOT) };
}

/** `from` → `to` as a relative POSIX path (`journals/x.json`, `../x.json`), for links and display. */
export function relativePath(fromDir: string, to: string): string {
  const rel = relative(fromDir, to);
  return (rel === '' ? '.' : rel).split(sep).join('/');
}

/** A relative path as a link target: each segment percent-encoded, the slashes kept. */
export function hrefOf(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** An absolute directory and what a path under it is written as instead (`''`: relative to it). */
export interface PathRoot {
  readonly dir: string;
  readonly as: string;
}

/**
 * The directories whose absolute paths a report must not show, most specific first: the report's own
 * directory (paths under it become relative), the repository and working directory (relative to them),
 * the home directory (`~/`) and the temporary directory (`$TMPDIR/`).
 */
export function machineRoots(reportDir: string, cwd: string): PathRoot[] {
  const roots: PathRoot[] = [
    { dir: reportDir, as: '' },
    { dir: REPO_ROOT, as: '' },
    { dir: cwd, as: '' },
    { dir: homedir(), as: '~/' },
    { dir: tmpdir(), as: '$TMPDIR/' },
  ];
  const seen = new Set<string>();
  return roots
    .map((r) => ({ dir: resolve(r.dir).replace(/\/+$/, ''), as: r.as }))
    .filter((r) => r.dir.length > 1 && !seen.has(r.dir) && seen.add(r.dir) !== undefined)
    .sort((a, b) => b.dir.length - a.dir.length);
}

/** Rewrites every `<root>/…` in `text` as its root says. */
export function scrubPaths(text: string, roots: readonly PathRoot[]): string {
  let out = text;
  for (const root of roots) {
    const escaped = root.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out.replace(new RegExp(`(?<![\\w.-])${escaped}/`, 'g'), root.as);
  }
  return out;
}

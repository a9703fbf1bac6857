import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The short commit of the git checkout holding `dir` (`git rev-parse --short HEAD`, git found on
 * `env`'s PATH), or null when
 * it is none, git is missing, or git does not answer within 5 s. Never rejects: provenance must
 * not fail a run or a report.
 */
export async function gitCommit(dir: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { timeout: 5000, env: { ...env } });
    const sha = stdout.trim();
    return /^[0-9a-f]{4,40}$/.test(sha) ? sha : null;
  } catch {
    return null;
  }
}

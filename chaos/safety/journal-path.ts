import { closeSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { systemErrorCode, UsageError } from '../errors';

/**
 * A journal that cannot be written must stop the run before anything is injected: otherwise a
 * fault goes in and its record is lost. Checks that `path` is not a directory, that an existing
 * file is only replaced with `--force`, and that its folder takes a new file (by making one).
 */
export function checkJournalPath(path: string, shown: string, force: boolean): void {
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch (error) {
    const code = systemErrorCode(error);
    // Not there (or below a file): the write check below says whether it can be made.
    if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UsageError(`journal ${shown} cannot be checked (${code ?? 'error'})`);
  }
  if (existing?.isDirectory())
    throw new UsageError(`journal ${shown} is a directory: name a file (e.g. ${shown.replace(/\/+$/, '')}/run.json)`);
  if (existing !== undefined && !force) throw new UsageError(`journal ${shown} exists: pass --force to overwrite it, or name another file`);
  const probe = `${path}.${process.pid}.check`;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    const code = systemErrorCode(error);
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? 'a folder in its path is a file' : (code ?? 'error');
    throw new UsageError(`journal ${shown} cannot be written (${why}): choose a writable place with --journal`);
  }
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw new UsageError(
      `journal ${shown} cannot be written (${systemErrorCode(error) ?? 'error'}): choose a writable place with --journal`,
    );
  }
}

import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { readOutputsFile, type LoadedOutputs } from './outputs-reader';

/** Where outputs are looked for when `--outputs` is not given, in order. */
export const DEFAULT_OUTPUTS_FILES = ['outputs.json', '.rehearsal/outputs.json'] as const;

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Options for finding the outputs file. */
export interface OutputsLocation {
  /** Directory relative paths resolve against. */
  readonly cwd: string;
  /** `--outputs <file>`; when absent the defaults are tried. */
  readonly file?: string;
  /** `--stack <name>` for a cdktf outputs file holding several stacks. */
  readonly stack?: string;
}

/**
 * Finds the outputs file: the one named, else the first default that exists. Returns null when
 * none was named and none exists, so the caller decides whether outputs are needed.
 */
export async function findOutputsFile(location: OutputsLocation): Promise<string | null> {
  if (location.file !== undefined) return location.file;
  for (const candidate of DEFAULT_OUTPUTS_FILES) {
    if (await exists(join(location.cwd, candidate))) return candidate;
  }
  return null;
}

/** Reads the outputs from the named or discovered file; null when there is none to read. */
export async function loadOutputs(location: OutputsLocation): Promise<LoadedOutputs | null> {
  const file = await findOutputsFile(location);
  if (file === null) return null;
  // Messages name the file as the user wrote it, not the joined absolute path.
  return readOutputsFile(file, isAbsolute(file) ? file : join(location.cwd, file), location.stack);
}

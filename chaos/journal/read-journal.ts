import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { z } from 'zod';
import { UsageError } from '../errors';
import { describeIssue } from '../model/describe-issue';
import { formatPath } from '../model/issue-path';

/**
 * Reads a journal file as the user named it (relative to `cwd`) and validates it with `schema`:
 * the contract's strict `journalSchema` for `chaos rollback`, the relaxed `readableJournalSchema`
 * for reports. Every failure is one `UsageError` line naming the file.
 */
export async function readJournalFile<S extends z.ZodType>(file: string, cwd: string, schema: S): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(isAbsolute(file) ? file : resolve(cwd, file), 'utf8');
  } catch {
    throw new UsageError(`${file}: no such journal file`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = issue ? describeIssue(issue, raw) : { path: [], expected: 'is not a journal' };
    const where = formatPath(problem.path);
    throw new UsageError(`${file}: ${where ? `${where}: ` : ''}${problem.expected} (expected a journal written by chaos run)`);
  }
  return parsed.data;
}

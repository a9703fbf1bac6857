import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { UsageError } from '../errors';
import type { CliIo } from '../io';
import { describeIssue } from '../model/describe-issue';
import { formatPath } from '../model/issue-path';
import { readableJournalSchema, type ReadableJournal } from '../../contract/journal';
import { renderReport, resolveReportFormat, type JournalSource, type ReportFormat } from '../report/render';

export interface ReportCommandOptions {
  readonly journals: readonly string[];
  readonly out: string | undefined;
  /** Markdown unless given, or unless `out` ends in `.html`. */
  readonly format?: ReportFormat;
}

async function readJournal(file: string, io: CliIo): Promise<ReadableJournal> {
  let text: string;
  try {
    text = await readFile(isAbsolute(file) ? file : resolve(io.cwd, file), 'utf8');
  } catch {
    throw new UsageError(`${file}: no such journal file`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: is not JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = readableJournalSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const problem = issue ? describeIssue(issue, raw) : { path: [], expected: 'is not a journal' };
    const where = formatPath(problem.path);
    throw new UsageError(`${file}: ${where ? `${where}: ` : ''}${problem.expected} (expected a journal written by chaos run)`);
  }
  return parsed.data;
}

/** `chaos report`: Markdown or one self-contained HTML page, from journals only. */
export async function reportCommand(options: ReportCommandOptions, io: CliIo): Promise<number> {
  const journals: JournalSource[] = [];
  for (const file of options.journals) journals.push({ journal: await readJournal(file, io), source: file });
  const text = await renderReport(resolveReportFormat(options.format, options.out), journals);
  if (options.out === undefined) io.stdout(text);
  else {
    await writeFile(isAbsolute(options.out) ? options.out : resolve(io.cwd, options.out), text, 'utf8');
    io.stdout(`wrote ${options.out}\n`);
  }
  return 0;
}

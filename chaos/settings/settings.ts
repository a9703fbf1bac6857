import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { systemErrorCode, UsageError } from '../errors';
import type { Environment } from '../model/configuration';
import { describeIssue } from '../model/describe-issue';
import { formatPath } from '../model/issue-path';

/**
 * chaostoolkit's settings file (`chaos --settings <file>`), the part of it this tool acts on:
 * `notifications`, a list of HTTP channels posted on run events. Read once, before anything runs;
 * every problem is one line naming the file and the key.
 */

/** The run events, chaostoolkit's (`run-started`, `run-completed`, `run-failed`, `run-deviated`) and ours. */
export const RUN_EVENTS = ['run-started', 'run-completed', 'run-failed', 'run-deviated', 'run-aborted', 'run-interrupted'] as const;
export type RunEvent = (typeof RUN_EVENTS)[number];

/** Seconds a webhook may take (chaostoolkit: 2 s to connect, 5 s to read), and the most a file may ask for. */
export const DEFAULT_NOTIFICATION_TIMEOUT_SECONDS = 5;
const MAX_NOTIFICATION_TIMEOUT_SECONDS = 30;

/** Where settings are read from when neither --settings nor CHAOS_SETTINGS names a file (only if it exists). */
export const DEFAULT_SETTINGS_PATH = '~/.chaos/settings.yaml';

const webhookUrl = z.string().superRefine((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `expected an absolute http(s) URL, e.g. https://hooks.example.com/chaos, got ${JSON.stringify(text)}`,
    });
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    ctx.addIssue({ code: 'custom', message: `expected an http or https URL, got the scheme ${url.protocol.replace(/:$/, '')}` });
  } else if (url.username !== '' || url.password !== '') {
    ctx.addIssue({
      code: 'custom',
      message: 'credentials in the URL are not supported: give them as headers, e.g. headers: {Authorization: "Bearer …"}',
    });
  }
});

// A header name is an HTTP token; a value may not break the request onto another line.
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const httpChannel = z.strictObject({
  type: z.literal('http'),
  url: webhookUrl,
  events: z
    .array(z.enum(RUN_EVENTS, { message: `expected a run event: ${RUN_EVENTS.join(', ')}` }))
    .min(1, 'expected at least one event (leave events out to receive them all)')
    .optional(),
  headers: z
    .record(
      z.string().regex(headerName, 'expected an HTTP header name (letters, digits and - _ . …)'),
      z.string().regex(/^[^\r\n\0]*$/, 'a header value must be one line'),
    )
    .optional(),
  verify_tls: z
    .literal(true, { message: 'verify_tls: false is not supported: keep it true and trust the certificate with NODE_EXTRA_CA_CERTS' })
    .optional(),
  forward_event_payload: z.boolean().optional(),
  timeout: z
    .number()
    .positive()
    .max(
      MAX_NOTIFICATION_TIMEOUT_SECONDS,
      `expected at most ${MAX_NOTIFICATION_TIMEOUT_SECONDS} seconds (a webhook never holds up a run for longer)`,
    )
    .optional(),
});

export type HttpChannel = z.output<typeof httpChannel>;

export interface Settings {
  /** The file as named (--settings, CHAOS_SETTINGS or the default), for messages. */
  readonly file: string;
  readonly notifications: readonly HttpChannel[];
}

/** The file to read: --settings, else CHAOS_SETTINGS, else the default when it exists (null: none). */
function settingsFile(
  option: string | undefined,
  cwd: string,
  env: Environment,
): { named: string; path: string; required: boolean } | null {
  const named = option ?? (env.CHAOS_SETTINGS === undefined || env.CHAOS_SETTINGS === '' ? undefined : env.CHAOS_SETTINGS);
  if (named !== undefined) return { named, path: isAbsolute(named) ? named : resolve(cwd, named), required: true };
  const home = env.HOME;
  if (home === undefined || home === '') return null;
  return { named: DEFAULT_SETTINGS_PATH, path: join(home, '.chaos', 'settings.yaml'), required: false };
}

function invalid(file: string, path: readonly PropertyKey[], expected: string): UsageError {
  return new UsageError([file, formatPath(path), expected].filter((part) => part.length > 0).join(': '));
}

/** Reads and checks the settings file (see {@link settingsFile}); null when there is none. */
export function loadSettings(option: string | undefined, cwd: string, env: Environment): Settings | null {
  const where = settingsFile(option, cwd, env);
  if (where === null) return null;
  const { named: file } = where;
  let text: string;
  try {
    text = readFileSync(where.path, 'utf8');
  } catch (error) {
    const code = systemErrorCode(error) ?? 'unreadable';
    if (code === 'ENOENT' && !where.required) return null;
    throw invalid(
      file,
      [],
      code === 'ENOENT' ? 'settings file not found (--settings or CHAOS_SETTINGS names it)' : `cannot be read (${code})`,
    );
  }
  const document = parseDocument(text, { prettyErrors: false });
  const syntax = document.errors[0];
  if (syntax !== undefined) throw invalid(file, [], `not valid YAML: ${syntax.message}`);
  const root: unknown = document.toJS();
  if (root === null || root === undefined) return { file, notifications: [] };
  if (typeof root !== 'object' || Array.isArray(root))
    throw invalid(file, [], 'expected a mapping, e.g. notifications: [{type: http, url: …}]');
  for (const key of Object.keys(root)) {
    if (key !== 'notifications') {
      throw invalid(
        file,
        [key],
        "not supported: this tool reads only notifications from a settings file (chaostoolkit's controls, auths and vault are not supported)",
      );
    }
  }
  const list: unknown = 'notifications' in root ? root.notifications : undefined;
  if (list === undefined || list === null) return { file, notifications: [] };
  if (!Array.isArray(list))
    throw invalid(file, ['notifications'], 'expected a list of channels, e.g. [{type: http, url: https://hooks.example.com/chaos}]');
  const notifications = list.map((entry: unknown, index): HttpChannel => {
    const type: unknown = typeof entry === 'object' && entry !== null && 'type' in entry ? entry.type : undefined;
    if (type === 'plugin') {
      throw invalid(
        file,
        ['notifications', index, 'type'],
        "plugin (a Python notification plugin) is not supported: use type: http with the service's webhook URL",
      );
    }
    const parsed = httpChannel.safeParse(entry);
    const issue = parsed.error?.issues[0];
    if (issue !== undefined) {
      const problem = describeIssue(issue, root, ['notifications', index]);
      throw invalid(file, problem.path, problem.expected);
    }
    if (!parsed.success) throw invalid(file, ['notifications', index], 'is not a valid channel');
    return parsed.data;
  });
  return { file, notifications };
}

import { isIP } from 'node:net';
import { ActivityFailedError } from '../../errors';

/**
 * The iptables rules that make the ACME directory unreachable for the proxy alone: TCP from the
 * proxy's uid (its containers run in the host's network namespace, so the host's OUTPUT chain sees
 * their packets with that owner) to the directory's port. A directory on loopback (Pebble in the
 * rehearsal) is matched by its address too; a public one (Let's Encrypt, whose addresses are not
 * fixed) by the port, anything but loopback. Tagged, so that a rollback finds them.
 */

/** The comment every rule of ours carries (`-m comment --comment platform-chaos`). */
export const CHAOS_TAG = 'platform-chaos';

/** REJECT answers the connection with a reset (lego fails at once); DROP leaves it to time out. */
export type BlockMode = 'reject' | 'drop';

export type Family = 'iptables' | 'ip6tables';

/** One rule: the tool, and the words after `-I OUTPUT 1` / `-D OUTPUT`. */
export interface EgressRule {
  readonly family: Family;
  readonly spec: readonly string[];
}

/** Where the directory is: host and TCP port of its URL. */
export function directoryEndpoint(url: string): { readonly host: string; readonly port: number } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActivityFailedError(`the proxy's ACME_DIRECTORY ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    throw new ActivityFailedError(`the proxy's ACME_DIRECTORY ${JSON.stringify(url)} is not an http(s) URL`);
  const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
  return { host: parsed.hostname.replace(/^\[|\]$/g, ''), port };
}

function destinations(host: string): readonly (readonly [Family, readonly string[]])[] {
  if (host === 'localhost')
    return [
      ['iptables', ['-d', '127.0.0.1/32']],
      ['ip6tables', ['-d', '::1/128']],
    ];
  const family = isIP(host);
  if (family === 4) return [['iptables', ['-d', `${host}/32`]]];
  if (family === 6) return [['ip6tables', ['-d', `${host}/128`]]];
  // A name: its addresses change (Let's Encrypt's do), so every address but loopback.
  return [
    ['iptables', ['!', '-d', '127.0.0.0/8']],
    ['ip6tables', ['!', '-d', '::1/128']],
  ];
}

/** The rules blocking `uid`'s TCP to the directory at `url`. */
export function egressRules(url: string, uid: number, mode: BlockMode): readonly EgressRule[] {
  if (!Number.isInteger(uid) || uid <= 0) throw new ActivityFailedError(`refused uid ${uid}: the proxy's uid must be a positive integer`);
  const { host, port } = directoryEndpoint(url);
  return destinations(host).map(([family, destination]) => ({
    family,
    spec: [
      '-p',
      'tcp',
      '-m',
      'owner',
      '--uid-owner',
      String(uid),
      ...destination,
      '--dport',
      String(port),
      '-m',
      'comment',
      '--comment',
      CHAOS_TAG,
      '-j',
      ...(mode === 'reject' ? ['REJECT', '--reject-with', 'tcp-reset'] : ['DROP']),
    ],
  }));
}

/** A rule of ours as `iptables -v -S OUTPUT` lists it, with its counters. */
export interface ListedRule {
  readonly family: Family;
  /** The line without counters, as `-S` prints it. */
  readonly rule: string;
  /** The words that delete it (`-D OUTPUT …`). */
  readonly deleteWords: readonly string[];
  readonly packets: number;
  readonly bytes: number;
}

/** Words `-S` prints that may go back to iptables (anything else is refused, never sent). */
const RULE_WORD = /^(?:!|[A-Za-z0-9_./:,-]+)$/;

/**
 * Our rules for `uid` in `iptables -v -S OUTPUT` output: tagged with {@link CHAOS_TAG} and matching
 * that owner. Other tagged rules (other faults') are left alone.
 */
export function ourRules(family: Family, listing: string, uid: number): readonly ListedRule[] {
  const rules: ListedRule[] = [];
  for (const line of listing.split('\n').map((l) => l.trim())) {
    if (!line.startsWith('-A OUTPUT ')) continue;
    const words = line.split(/\s+/);
    const comment = words.indexOf('--comment');
    const owner = words.indexOf('--uid-owner');
    if (comment < 0 || words[comment + 1] !== CHAOS_TAG || owner < 0 || words[owner + 1] !== String(uid)) continue;
    const counters = words.indexOf('-c');
    const packets = counters < 0 ? 0 : Number(words[counters + 1]);
    const bytes = counters < 0 ? 0 : Number(words[counters + 2]);
    const spec = counters < 0 ? words.slice(2) : [...words.slice(2, counters), ...words.slice(counters + 3)];
    const bad = spec.find((w) => !RULE_WORD.test(w));
    if (bad !== undefined) throw new ActivityFailedError(`refused to send back the word ${JSON.stringify(bad)} of the rule ${line}`);
    rules.push({ family, rule: ['-A', 'OUTPUT', ...spec].join(' '), deleteWords: ['-D', 'OUTPUT', ...spec], packets, bytes });
  }
  return rules;
}

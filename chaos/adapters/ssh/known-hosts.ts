import { createHash, createHmac } from 'node:crypto';

/**
 * Host key verification the way OpenSSH does it, for the driver's `hostVerifier`: the key the server
 * offers must equal a key known_hosts lists for `[host]:port` (or `host` on port 22), hashed
 * entries (`|1|salt|hash`) and patterns (`*`, `?`, `!negated`, comma lists) included. A `@revoked`
 * key is refused; `@cert-authority` lines are not supported (certificates are not accepted).
 */

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  readonly marker: 'revoked' | null;
  readonly patterns: string;
  readonly keyType: string;
  /** The key blob (what the server sends), decoded from base64. */
  readonly key: Buffer;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const tag = fields.shift();
      if (tag !== '@revoked') continue;
      marker = 'revoked';
    }
    const [patterns, keyType, keyBase64] = fields;
    if (patterns === undefined || keyType === undefined || keyBase64 === undefined) continue;
    entries.push({ marker, patterns, keyType, key: Buffer.from(keyBase64, 'base64') });
  }
  return entries;
}

/** How OpenSSH names a host in known_hosts: `host` on port 22, else `[host]:port`. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i');
}

function hashedMatch(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || salt === undefined || hash === undefined) return false;
  const mac = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return mac === hash;
}

/** Whether a host field (comma list, negations, hashed) names `name`. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatch(patterns, name);
  let matched = false;
  for (const pattern of patterns.split(',')) {
    const negated = pattern.startsWith('!');
    if (globToRegExp(negated ? pattern.slice(1) : pattern).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** `SHA256:<base64 without padding>`, as `ssh-keygen -lf` prints it. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The verdict on an offered host key: accepted, or refused with the sentence saying why. */
export type HostKeyVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Checks `offered` against the entries for `host:port`. */
export function verifyHostKey(
  entries: readonly KnownHostEntry[],
  host: string,
  port: number,
  offered: Buffer,
  source: string,
): HostKeyVerdict {
  const name = hostKeyName(host, port);
  const mine = entries.filter((e) => patternsMatch(e.patterns, name));
  const fingerprint = fingerprintOf(offered);
  if (mine.some((e) => e.marker === 'revoked' && e.key.equals(offered))) {
    return { ok: false, reason: `the host key of ${name} (${fingerprint}) is marked @revoked in ${source}` };
  }
  if (mine.some((e) => e.marker === null && e.key.equals(offered))) return { ok: true };
  if (mine.length === 0) {
    return {
      ok: false,
      reason: `${name} is not in ${source} (offered host key ${fingerprint}); add its key there (ssh-keyscan -p ${port} ${host}, checked out of band) or pin the fingerprint`,
    };
  }
  return {
    ok: false,
    reason: `the host key of ${name} CHANGED: offered ${fingerprint}, ${source} expects ${mine.map((e) => fingerprintOf(e.key)).join(' or ')}; refusing to connect (a replaced instance gets a new key: update ${source} after checking it)`,
  };
}

/** Checks `offered` against a pinned fingerprint (`SHA256:…`). */
export function verifyFingerprint(pinned: string, host: string, port: number, offered: Buffer): HostKeyVerdict {
  const fingerprint = fingerprintOf(offered);
  return fingerprint === pinned.replace(/=+$/, '')
    ? { ok: true }
    : { ok: false, reason: `the host key of ${hostKeyName(host, port)} is ${fingerprint}, not the pinned ${pinned}; refusing to connect` };
}

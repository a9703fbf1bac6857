import { ActivityFailedError } from '../../errors';
import { CONTAINER_ID } from '../../faults/command-words';
import type { HostCommands } from '../../faults/ports';
import { remoteDocker } from '../ssh/service-container';

/**
 * What the acme faults read from the proxy's container on the host: its ACME settings (the
 * environment the task definition or the stack file gave it) and its log, where
 * docker/proxy/acme.sh says what each renewal round did.
 */

/** The proxy's default directory when its environment names none (docker/proxy/entrypoint.sh). */
export const DEFAULT_ACME_DIRECTORY = 'https://acme-staging-v02.api.letsencrypt.org/directory';

/** The proxy's ACME settings as its container runs them. */
export interface ProxyAcme {
  /** Empty: no certificate, no renewal loop (the rehearsal's default mode). */
  readonly domain: string;
  readonly directory: string;
}

/** `docker inspect` words printing the container's environment, one variable a line. */
export function environmentCommand(id: string): readonly string[] {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  return ['docker', 'inspect', '--type', 'container', '--format', '{{range .Config.Env}}{{println .}}{{end}}', id];
}

/** DOMAIN and ACME_DIRECTORY from `KEY=value` lines. */
export function parseProxyAcme(envLines: string): ProxyAcme {
  const env = new Map<string, string>();
  for (const line of envLines.split('\n')) {
    const at = line.indexOf('=');
    if (at > 0) env.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  const directory = env.get('ACME_DIRECTORY');
  return { domain: env.get('DOMAIN') ?? '', directory: directory === undefined || directory === '' ? DEFAULT_ACME_DIRECTORY : directory };
}

export async function readProxyAcme(session: HostCommands, id: string): Promise<ProxyAcme> {
  return parseProxyAcme(await remoteDocker(session, environmentCommand(id)));
}

/**
 * The proxy's own log lines (`<date> proxy: …`, docker/proxy/entrypoint.sh's `log`), with docker's
 * timestamps, at most the last 300: nginx's access log is on the same streams and would be most of
 * the output (and SSM keeps only 24,000 characters of it). The id is checked; the script is constant.
 */
export function proxyLogCommand(id: string): readonly string[] {
  if (!CONTAINER_ID.test(id)) throw new ActivityFailedError(`refused container id ${JSON.stringify(id)}`);
  return ['sh', '-c', 'docker logs --timestamps "$1" 2>&1 | grep " proxy: " | tail -n 300', 'platform-chaos-proxy-log', id];
}

/** One line of the renewal log, as acme.sh writes it. */
export type RenewalEvent =
  | { readonly kind: 'forced'; readonly at: string }
  | { readonly kind: 'failed'; readonly at: string; readonly inARow: number; readonly retryInSeconds: number }
  | { readonly kind: 'renewed'; readonly at: string; readonly serial: string }
  | { readonly kind: 'reused'; readonly at: string; readonly serial: string };

const LINE = /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z) \S+ proxy: (.*)$/;

/** The renewal events in the log, oldest first; other lines are ignored. */
export function parseRenewalLog(log: string): readonly RenewalEvent[] {
  const events: RenewalEvent[] = [];
  for (const raw of log.split('\n')) {
    const match = LINE.exec(raw.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const at = match[1];
    const text = match[2];
    let m: RegExpExecArray | null;
    if (text.startsWith('forced renewal of the certificate')) events.push({ kind: 'forced', at });
    else if ((m = /^ACME round failed \((\d+) in a row\): retrying in (\d+)s$/.exec(text)))
      events.push({ kind: 'failed', at, inARow: Number(m[1]), retryInSeconds: Number(m[2]) });
    else if ((m = /^new certificate for \S+: serial=([0-9A-Fa-f]+)/.exec(text)) && m[1] !== undefined)
      events.push({ kind: 'renewed', at, serial: m[1] });
    else if ((m = /^reusing the certificate on the volume .*serial=([0-9A-Fa-f]+)/.exec(text)) && m[1] !== undefined)
      events.push({ kind: 'reused', at, serial: m[1] });
  }
  // docker prints the two streams one after the other; the timestamps give the order.
  return events
    .map((e, i) => ({ e, i, t: Date.parse(e.at) }))
    .sort((a, b) => a.t - b.t || a.i - b.i)
    .map(({ e }) => e);
}

/** The serial the proxy serves by its log: the last certificate it ordered, renewed or reused. */
export function servedSerial(events: readonly RenewalEvent[]): string | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.kind === 'renewed' || e?.kind === 'reused') return e.serial;
  }
  return null;
}

export async function readRenewalLog(session: HostCommands, id: string): Promise<readonly RenewalEvent[]> {
  const result = await session.exec(proxyLogCommand(id));
  if (result.code !== 0) throw new ActivityFailedError(`"${result.command}" exited with ${String(result.code)}: ${result.stderr.trim()}`);
  return parseRenewalLog(result.stdout);
}

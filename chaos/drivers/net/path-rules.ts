import { z } from 'zod';
import { copiesOf, type PlatformOutputs } from '../../../contract/outputs';
import { SERVICES, userIds } from '../../../contract/services';

/**
 * The path the network faults act on, and only it: packets the proxy's processes (its uid, from the
 * contract) send over loopback to a service's port (from the outputs), in the OUTPUT chain. The
 * API's own health check (another uid), the SSH/SSM channel, the sampler's requests to the proxy
 * and everything else on the machine never match.
 */

/** The services the proxy forwards to: the only ends of a proxy↔service path. */
export const PATH_SERVICES = ['api', 'frontend'] as const;
export type PathService = (typeof PATH_SERVICES)[number];

/** One kind of network fault; its rules carry the comment `platform-chaos-<kind>`, its helpers the same tag. */
export type NetKind = 'net-blackhole' | 'net-loss' | 'net-delay';

/** The NFQUEUE number the delayer binds (one delay fault at a time per host). */
export const DELAY_QUEUE = 4710;

/** The tag of a kind: the comment on its rules and the word in its helpers' argv. */
export function tagOf(kind: NetKind): string {
  return `platform-chaos-${kind}`;
}

/** Where the delayer's output (its counters) is written on the host. */
export function helperOutputFile(kind: NetKind): string {
  return `/tmp/${tagOf(kind)}.out`;
}

/** The proxy's uid and the ports of the service's copies: what every rule matches. */
export interface PathMatch {
  readonly uid: number;
  /** The ports hit, copy order: every copy's, or the one copy asked for. */
  readonly ports: readonly number[];
  readonly service: PathService;
  /** The copy asked for (1 = the service's own fields), or null for every copy. */
  readonly copy: number | null;
}

/** The ports of a service's copies in the outputs, copy 1 first (outputs from before copies: its one port). */
export function copyPortsOf(outputs: PlatformOutputs, service: PathService): readonly number[] {
  return copiesOf(outputs.services[service]).map((c) => c.port);
}

/**
 * What the rules match: every copy's port by default (the whole proxy-to-service path, so a
 * fault is felt through the proxy), or one copy's (the proxy's retry on the others should hide it).
 */
export function pathMatch(outputs: PlatformOutputs, service: PathService, copy: number | null = null): PathMatch {
  const ports = copyPortsOf(outputs, service);
  if (copy !== null && (copy < 1 || copy > ports.length))
    throw new Error(
      `copy ${copy} of the ${service} is not in the outputs: they list ${ports.length} (ports ${ports.join(', ')}); pick 1 to ${ports.length}, or leave "copy" out for every copy`,
    );
  const hit = copy === null ? ports : [ports[copy - 1] as number];
  return { uid: userIds(SERVICES.proxy.user).uid, ports: hit, service, copy };
}

/** One port: the tcp match's --dport; several: the multiport match's --dports. */
function portWords(ports: readonly number[]): string[] {
  return ports.length === 1 ? ['-m', 'tcp', '--dport', String(ports[0])] : ['-m', 'multiport', '--dports', ports.join(',')];
}

/** The match part every rule of the kind shares (after the chain). */
export function matchWords(kind: NetKind, m: PathMatch): string[] {
  return [
    '-o',
    'lo',
    '-p',
    'tcp',
    '-m',
    'owner',
    '--uid-owner',
    String(m.uid),
    ...portWords(m.ports),
    '-m',
    'comment',
    '--comment',
    tagOf(kind),
  ];
}

/** A rule spec (after `OUTPUT`), in the order it is inserted: each goes to position 1, so the last is first. */
export type RuleSpec = readonly string[];

export function blackholeRules(m: PathMatch): RuleSpec[] {
  return [[...matchWords('net-blackhole', m), '-j', 'DROP']];
}

/** `lossPercent` as the statistic match's probability, 4 decimals (0.01 % steps). */
export function probability(lossPercent: number): string {
  return (lossPercent / 100).toFixed(4);
}

/**
 * The random DROP, then a rule without a target inserted above it that only counts: every packet
 * of the path passes it first, so its counter is the total the drop rule drew from.
 */
export function lossRules(m: PathMatch, lossPercent: number): RuleSpec[] {
  const match = matchWords('net-loss', m);
  return [[...match, '-m', 'statistic', '--mode', 'random', '--probability', probability(lossPercent), '-j', 'DROP'], match];
}

/** Packets to the delayer's queue; `--queue-bypass` lets them through unheld when no delayer is bound. */
export function delayRules(m: PathMatch): RuleSpec[] {
  return [[...matchWords('net-delay', m), '-j', 'NFQUEUE', '--queue-num', String(DELAY_QUEUE), '--queue-bypass']];
}

/** `-w` waits for the xtables lock instead of failing while another tool edits the rules. */
export function insertWords(rule: RuleSpec): string[] {
  return ['iptables', '-w', '-I', 'OUTPUT', '1', ...rule];
}

/** The OUTPUT chain with exact counters, numeric (no DNS). */
export const LIST_WORDS: readonly string[] = ['iptables', '-w', '-L', 'OUTPUT', '-v', '-x', '-n'];

/** One rule of the kind as `iptables -L OUTPUT -v -x -n` shows it. */
export interface RuleCounter {
  /** DROP, NFQUEUE…; null for a rule that only counts. */
  readonly target: string | null;
  readonly packets: number;
  readonly bytes: number;
}

/** The kind's rules in the listing, in chain order; a line of the kind in another form is an error. */
export function parseCounters(listing: string, kind: NetKind): RuleCounter[] {
  const marker = `/* ${tagOf(kind)} */`;
  return listing
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => {
      const words = line.trim().split(/\s+/);
      const [packets, bytes, third] = words;
      if (packets === undefined || bytes === undefined || !/^\d+$/.test(packets) || !/^\d+$/.test(bytes))
        throw new Error(`unexpected line from iptables -L: ${JSON.stringify(line)}`);
      return {
        target: third !== undefined && /^[A-Z][A-Z_]*$/.test(third) ? third : null,
        packets: Number(packets),
        bytes: Number(bytes),
      };
    });
}

/** The connection settings every host fault takes, re-exported with the duration every network fault takes. */
export const durationSeconds = z.number().int().min(1).max(3600).describe('Seconds the fault holds before it undoes itself (1-3600)');

export const pathService = z
  .enum(PATH_SERVICES)
  .default('api')
  .describe("Service whose ports the proxy's packets to are hit (default api; the ports of its copies come from the outputs)");

export const pathCopy = z
  .number()
  .int()
  .min(1)
  .max(8)
  .optional()
  .describe("Only this copy's port (1 = the service's own); default: every copy's, so the fault is felt through the proxy");

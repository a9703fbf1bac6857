import type { PlatformOutputs } from '../../../contract/outputs';
import type { ClientFactories } from '../aws-clients';
import { systemClock } from '../../engine/clock';
import { ActivityFailedError } from '../../errors';
import { HOST_HTTP_MAX_BODY_BYTES, type HostAccess, type HostHttpRequest } from '../../faults/ports';
import { runOverSsm, type SsmCommandSettings } from './ssm-command';
import { clusterInstance } from './ssm-instance';

export const DEFAULT_SSM_SETTINGS: SsmCommandSettings = { pollMs: 1000, commandTimeoutMs: 60_000, clock: systemClock };

/** What curl writes after the body, so the status can be told from the body's last line. */
const STATUS_MARK = '\nchaos-http-status:';

/** The curl words that GET the service on the host's loopback (curl is on the ECS-optimized AMI). */
export function curlWords(req: HostHttpRequest): readonly string[] {
  return [
    'curl',
    '--silent',
    '--show-error',
    // The path is the author's: brackets and braces must not become curl's URL globs.
    '--globoff',
    '--max-time',
    String(req.timeoutMs / 1000),
    '--max-filesize',
    String(HOST_HTTP_MAX_BODY_BYTES),
    '--write-out',
    // curl turns the two characters `\n` into a newline itself, so the command stays one line.
    `${STATUS_MARK.replace('\n', '\\n')}%{http_code}`,
    `http://127.0.0.1:${req.port}${req.path}`,
  ];
}

/**
 * Host access over SSM Run Command, the default deployment's only way in (no port 22, no key
 * pair; the instance role has AmazonSSMManagedInstanceCore). The instance is the cluster's one
 * container instance, found at the start of every session; commands are the same words the SSH
 * adapter sends, run by AWS-RunShellScript. SSH's key arguments are ignored: IAM decides here.
 */
export function ssmHostAccess(
  outputs: PlatformOutputs,
  clients: ClientFactories,
  settings: SsmCommandSettings = DEFAULT_SSM_SETTINGS,
): HostAccess {
  const where = `the container instance of cluster ${outputs.clusterName}`;
  const withInstance = async <T>(signal: AbortSignal, fn: (instanceId: string) => Promise<T>): Promise<T> => {
    const instanceId = await clusterInstance(clients.ecs(), outputs, signal);
    return fn(instanceId);
  };
  return {
    name: 'ssm',
    where,
    host: outputs.sshHost,
    resolveWhere: async (signal) => `instance ${await clusterInstance(clients.ecs(), outputs, signal)} over SSM (${where})`,
    withSession: (_options, signal, fn) =>
      withInstance(signal, (instanceId) => fn({ exec: (words) => runOverSsm(clients.ssm(), instanceId, words, settings, signal) })),
    httpGet: (_options, signal, req) =>
      withInstance(signal, async (instanceId) => {
        const url = `http://127.0.0.1:${req.port}${req.path}`;
        // The command may take the request's own time on top of SSM's delivery.
        const timed = { ...settings, commandTimeoutMs: settings.commandTimeoutMs + req.timeoutMs };
        const result = await runOverSsm(clients.ssm(), instanceId, curlWords(req), timed, signal);
        const mark = result.stdout.lastIndexOf(STATUS_MARK);
        const status = mark < 0 ? NaN : Number(result.stdout.slice(mark + STATUS_MARK.length).trim());
        // curl exits non-zero (and writes status 000) when no answer came: refused, timed out, too big.
        if (result.code !== 0 || !Number.isInteger(status) || status < 100)
          throw new ActivityFailedError(
            `GET ${url} on ${instanceId} (over SSM) failed: ${result.stderr.trim().split('\n')[0] || `curl exited with ${String(result.code)}`}`,
          );
        return { status, body: result.stdout.slice(0, mark) };
      }),
  };
}

import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import type { ClientFactories } from '../adapters/aws-clients';
import { UsageError } from '../errors';
import { ECS_CLUSTER_ARN } from '../../contract/output-names';
import type { TargetBinding } from '../targets/bind-target';

/**
 * The account the outputs' cluster is in, when the bound target talks to AWS APIs; null otherwise (the
 * local rehearsal has none). The binding decides, not the outputs: bind-target.ts is the one place that does.
 */
function expectedAccount(target: TargetBinding): string | null {
  if (target.adapters.aws === null) return null;
  return ECS_CLUSTER_ARN.exec(target.outputs.clusterArn)?.[3] ?? null;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Refuses a run whose credentials are in another account than the deployment the outputs describe:
 * outputs left over from one account and credentials for another would otherwise stop tasks and
 * terminate instances wherever the names happen to match. One `sts:GetCallerIdentity`, before anything
 * else touches AWS; exit 2 (UsageError) when it fails or disagrees.
 */
export async function guardAccount(target: TargetBinding, clients: ClientFactories, signal?: AbortSignal): Promise<void> {
  const expected = expectedAccount(target);
  if (expected === null) return;
  let actual: string | undefined;
  try {
    actual = (await clients.sts().send(new GetCallerIdentityCommand({}), { abortSignal: signal })).Account;
  } catch (error) {
    const name = errorName(error);
    const hint =
      name === 'AccessDenied' || name === 'AccessDeniedException'
        ? 'the credentials may not call sts:GetCallerIdentity: attach the chaos operator policy (output chaosOperatorPolicyArn)'
        : `${name}: ${error instanceof Error ? error.message : String(error)}`;
    throw new UsageError(`account guard: cannot tell which account the credentials are in (${hint}); nothing was done`);
  }
  if (actual !== expected) {
    throw new UsageError(
      `account guard: the credentials are in account ${actual ?? '(none given)'}, but the outputs' cluster is in account ${expected} (${target.outputs.clusterArn}); refusing to inject faults: use credentials for account ${expected}`,
    );
  }
}

/** What a dry run leaves out for these outputs, said so that nobody takes it for a checked run. */
export function skippedLiveChecks(target: TargetBinding | null): string | null {
  const expected = target === null ? null : expectedAccount(target);
  if (expected === null) return null;
  return `dry run: skipped the live checks (no AWS call, no credentials used): the account guard (sts:GetCallerIdentity must answer account ${expected}), the steady-state probes and the stop conditions' alarms`;
}

/** What `--dry-run --live` checked and what it still leaves out (the probes and alarms run only in a run). */
export function skippedWithLive(target: TargetBinding | null): string {
  const expected = target === null ? null : expectedAccount(target);
  const guard = expected === null ? 'no account guard (this target has no AWS APIs)' : `the account guard passed (account ${expected})`;
  return `dry run --live: ${guard}; targets resolved read-only; skipped the steady-state probes and the stop conditions' alarms`;
}

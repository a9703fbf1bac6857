import { Finding } from './rule';

/**
 * An accepted finding: the rule stays on, and this one deviation is recorded with its reason, which
 * the policy output prints next to it (like cdk-nag's acknowledgements).
 */
export interface Suppression {
  readonly ruleId: string;
  /** Why the deviation is acceptable here. Required, never empty. */
  readonly reason: string;
  /**
   * Construct path inside the stack the suppression covers, e.g. "proxy" or "registry/api": that
   * construct and everything under it.
   * @default the whole stack
   */
  readonly path?: string;
}

/** A suppression that cannot be accepted: no rule id, no reason, or an id no rule has. */
export class InvalidSuppressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSuppressionError';
  }
}

function describe(s: Partial<Suppression>): string {
  return `suppression ${JSON.stringify({ ruleId: s.ruleId, path: s.path })}`;
}

/** Checks one suppression's shape: a rule id and a non-empty reason. Returns it unchanged. */
export function suppress(suppression: Suppression): Suppression {
  const s: Partial<Suppression> = suppression;
  if (typeof s.ruleId !== 'string' || s.ruleId.trim() === '') {
    throw new InvalidSuppressionError(`${describe(s)}: needs the id of the rule it suppresses (see npm run policy -- --list)`);
  }
  if (typeof s.reason !== 'string' || s.reason.trim() === '') {
    throw new InvalidSuppressionError(
      `${describe(s)}: needs a reason: say why this deviation from rule ${s.ruleId} is acceptable; it is printed with every finding it covers`,
    );
  }
  if (s.path !== undefined && (s.path.trim() === '' || s.path.startsWith('/') || s.path.endsWith('/'))) {
    throw new InvalidSuppressionError(`${describe(s)}: path must be a construct path inside the stack, such as "proxy" or "registry/api"`);
  }
  return suppression;
}

/** Checks every suppression, and that each names a rule that exists. */
export function validateSuppressions(suppressions: readonly Suppression[], ruleIds: readonly string[]): readonly Suppression[] {
  for (const s of suppressions) {
    suppress(s);
    if (!ruleIds.includes(s.ruleId)) {
      throw new InvalidSuppressionError(`${describe(s)}: no rule has the id "${s.ruleId}" (see npm run policy -- --list)`);
    }
  }
  return suppressions;
}

/** True when the suppression covers this finding of rule `ruleId` in the stack at `stackPath`. */
export function covers(suppression: Suppression, ruleId: string, stackPath: string, finding: Finding): boolean {
  if (suppression.ruleId !== ruleId) return false;
  if (suppression.path === undefined) return true;
  const scope = `${stackPath}/${suppression.path}`;
  return finding.path === scope || finding.path.startsWith(`${scope}/`);
}

import type { JsonObject, JsonValue } from '../../contract/json';
import { asString, at, blocks, isExpression, strings, toJson } from './json';
import { ResourceSubject, TerraformBlock } from './subject';

/** Where IAM policy documents appear: the stack's `aws_iam_policy_document` data sources (see stacks/iam.ts), and literal JSON in policy resources. */
export const POLICY_DOCUMENTS: Partial<Record<TerraformBlock, readonly string[]>> = {
  data: ['aws_iam_policy_document'],
  resource: ['aws_iam_policy', 'aws_iam_role_policy', 'aws_iam_user_policy', 'aws_iam_group_policy', 'aws_iam_role'],
};

/** One policy statement, whichever form declared it. */
export interface IamStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  /** Principal identifiers ("*" for anyone); empty for identity policies. */
  readonly principals: readonly string[];
  readonly conditional: boolean;
}

const effectOf = (value: JsonValue | undefined): IamStatement['effect'] => (asString(value) === 'Deny' ? 'Deny' : 'Allow');

function fromDataSource(attributes: JsonObject): readonly IamStatement[] {
  return blocks(attributes.statement).map((s) => ({
    sid: asString(s.sid),
    effect: effectOf(s.effect),
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    principals: blocks(s.principals).flatMap((p) => strings(p.identifiers)),
    conditional: blocks(s.condition).length > 0,
  }));
}

function principalsOf(value: JsonValue | undefined): readonly string[] {
  if (typeof value === 'string') return [value];
  return blocks(value).flatMap((p) => Object.values(p).flatMap((ids) => strings(ids)));
}

/** Statements of a literal JSON document; a reference or an HCL expression gives none (checked at its source). */
function fromJsonText(text: string | undefined): readonly IamStatement[] {
  if (text === undefined || isExpression(text)) return [];
  let document: JsonValue;
  try {
    document = toJson(JSON.parse(text));
  } catch (err) {
    if (err instanceof SyntaxError) return [];
    throw err;
  }
  return blocks(at(document, 'Statement')).map((s) => ({
    sid: asString(s.Sid),
    effect: effectOf(s.Effect),
    actions: strings(s.Action),
    notActions: strings(s.NotAction),
    resources: strings(s.Resource),
    principals: principalsOf(s.Principal),
    conditional: s.Condition !== undefined,
  }));
}

/** The statements an IAM element declares. */
export function statementsOf(subject: ResourceSubject): readonly IamStatement[] {
  if (subject.block === 'data') return subject.type === 'aws_iam_policy_document' ? fromDataSource(subject.attributes) : [];
  const key = subject.type === 'aws_iam_role' ? 'assume_role_policy' : 'policy';
  return fromJsonText(asString(subject.attributes[key]));
}

/** "statement PullImages" or "statement 2" for the reader. */
export function statementName(statement: IamStatement, index: number): string {
  return statement.sid ? `statement ${statement.sid}` : `statement ${index + 1}`;
}

import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';

/** One IAM policy statement, typed. Conditions are `{ test, variable, values }` as IAM evaluates them. */
export interface PolicyStatement {
  /** Statement id, shown in the plan review. */
  readonly sid: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  readonly conditions?: readonly { readonly test: string; readonly variable: string; readonly values: readonly string[] }[];
}

/**
 * Renders typed statements into a policy document. `aws_iam_policy_document` is computed by the provider
 * without calling AWS, so it keeps the offline plan possible and keeps JSON out of the stack code.
 */
export function policyDocument(scope: Construct, id: string, statements: readonly PolicyStatement[]): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: statements.map((s) => ({
      sid: s.sid,
      effect: 'Allow',
      actions: [...s.actions],
      resources: [...s.resources],
      condition: s.conditions?.map((c) => ({ test: c.test, variable: c.variable, values: [...c.values] })),
    })),
  }).json;
}

/** A trust policy letting one AWS service assume a role. */
export function assumeRolePolicy(scope: Construct, id: string, service: string): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'Service', identifiers: [service] }],
      },
    ],
  }).json;
}

/** A trust policy letting the named AWS principals (accounts, roles, users) assume a role. */
export function assumeRoleByPrincipals(scope: Construct, id: string, principalArns: readonly string[]): string {
  return new DataAwsIamPolicyDocument(scope, id, {
    statement: [
      {
        effect: 'Allow',
        actions: ['sts:AssumeRole'],
        principals: [{ type: 'AWS', identifiers: [...principalArns] }],
      },
    ],
  }).json;
}

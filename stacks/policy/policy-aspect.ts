import { IConstruct } from 'constructs';
import { Annotations, Aspects, IAspect, TerraformStack } from 'cdktf';
import { PolicyReport, blockingFindings, evaluatePolicy, warningFindings } from './evaluate';
import { Rule } from './rule';
import { RULES } from './rules';
import { PolicyConstruct, isPolicyConstruct, subjectsOf } from './subjects';
import { Suppression, validateSuppressions } from './suppression';
import { findingMessage } from './report-text';

export interface PolicyOptions {
  /** The rules to run. @default RULES (stacks/policy/rules) */
  readonly rules?: readonly Rule[];
  /** Accepted findings, each with its reason. @default none */
  readonly suppressions?: readonly Suppression[];
}

/**
 * The security policy as a cdktf Aspect. Synth visits every construct of the stack; the aspect keeps
 * the Terraform elements and the platform services it meets. The stack's validation, which cdktf runs
 * after the aspects, evaluates the rules on them: an unsuppressed `error` finding fails the
 * validation, and so synth; a `warning` becomes a cdktf warning annotation.
 */
export class PolicyAspect implements IAspect {
  readonly rules: readonly Rule[];
  readonly suppressions: readonly Suppression[];
  // Keyed by path: a second synth visits the same constructs again.
  private readonly visited = new Map<string, PolicyConstruct>();
  private readonly warned = new Set<string>();

  constructor(
    private readonly stack: TerraformStack,
    options: PolicyOptions = {},
  ) {
    this.rules = options.rules ?? RULES;
    this.suppressions = validateSuppressions(
      options.suppressions ?? [],
      this.rules.map((r) => r.id),
    );
  }

  /** Adds the aspect to `stack` and a validation that stops synth on an unsuppressed error finding. */
  static enforce(stack: TerraformStack, options: PolicyOptions = {}): PolicyAspect {
    const aspect = new PolicyAspect(stack, options);
    Aspects.of(stack).add(aspect);
    stack.node.addValidation({ validate: () => aspect.violations() });
    return aspect;
  }

  visit(node: IConstruct): void {
    if (isPolicyConstruct(node)) this.visited.set(node.node.path, node);
  }

  /** Evaluates what the aspect has visited (during synth). */
  report(): PolicyReport {
    return evaluatePolicy({
      stack: this.stack.node.path,
      subjects: subjectsOf(this.stack, this.visited.values()),
      rules: this.rules,
      suppressions: this.suppressions,
    });
  }

  /** Visits the whole stack as synth would, then evaluates: the policy without writing anything. */
  check(): PolicyReport {
    for (const node of this.stack.node.findAll()) this.visit(node);
    return this.report();
  }

  /** The validation: one message per unsuppressed error finding; warnings are annotated once. */
  violations(): string[] {
    const report = this.report();
    for (const { rule, finding } of warningFindings(report)) {
      const message = findingMessage(report.stack, rule, finding);
      if (this.warned.has(message)) continue;
      this.warned.add(message);
      Annotations.of(this.stack).addWarning(message);
    }
    return blockingFindings(report).map(({ rule, finding }) => findingMessage(report.stack, rule, finding));
  }
}

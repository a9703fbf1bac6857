import { ContainerSubject, ResourceSubject, StackSubject, Subject, TerraformBlock, describeSubject } from './subject';

/** An `error` finding that is not suppressed stops synth; a `warning` is reported and synth goes on. */
export type Severity = 'error' | 'warning';

/** One thing a rule found wrong. */
export interface Finding {
  /** Construct path of what is wrong; suppressions are scoped by it. */
  readonly path: string;
  /** Terraform address (or container and task) of what is wrong, for the reader. */
  readonly subject: string;
  readonly message: string;
}

/** What a rule is, as docs and output show it. */
export interface RuleInfo {
  /** Kebab-case, the name of the rule's module. */
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  /** Equivalent checkov checks (only ids known to check the same thing). */
  readonly checkov: readonly string[];
  /** Equivalent trivy (AVD) checks. */
  readonly trivy: readonly string[];
  /** What the rule checks and why it matters here. */
  readonly description: string;
  /** How to fix a finding: printed with it. */
  readonly remedy: string;
}

/** Narrows the subjects a rule looks at; the rule's check then sees only that kind. */
export type SubjectFilter<S extends Subject> = (subject: Subject) => subject is S;

/** A rule module's descriptor: its facts, the subjects it looks at, and a check of one subject. */
export interface RuleDescriptor<S extends Subject> extends RuleInfo {
  readonly subjects: SubjectFilter<S>;
  check(subject: S): readonly Finding[];
}

/** A registered rule: takes any subject (those it does not look at pass). */
export interface Rule extends RuleInfo {
  appliesTo(subject: Subject): boolean;
  check(subject: Subject): readonly Finding[];
}

/** Turns a descriptor into a Rule; the subject type is closed over here, so no rule needs a cast. */
export function defineRule<S extends Subject>(descriptor: RuleDescriptor<S>): Rule {
  const { subjects, check, ...info } = descriptor;
  return {
    ...info,
    appliesTo: (subject) => subjects(subject),
    check: (subject) => (subjects(subject) ? check.call(descriptor, subject) : []),
  };
}

/** Terraform elements of the given blocks and types. */
export function elements(types: Partial<Record<TerraformBlock, readonly string[]>>): SubjectFilter<ResourceSubject> {
  return (subject): subject is ResourceSubject => subject.kind === 'resource' && (types[subject.block] ?? []).includes(subject.type);
}

/** Managed resources of the given types. */
export function resources(...types: readonly string[]): SubjectFilter<ResourceSubject> {
  return elements({ resource: types });
}

/** Every container spec of the stack's services. */
export const containers: SubjectFilter<ContainerSubject> = (subject): subject is ContainerSubject => subject.kind === 'container';

/** The stack as a whole, for rules that relate elements to each other. */
export const wholeStack: SubjectFilter<StackSubject> = (subject): subject is StackSubject => subject.kind === 'stack';

/** A finding about `subject`. */
export function finding(subject: ResourceSubject | ContainerSubject, message: string): Finding {
  return { path: subject.path, subject: describeSubject(subject), message };
}

/** The stack's elements of one type (for whole-stack rules). */
export function elementsOfType(stack: StackSubject, type: string, block: TerraformBlock = 'resource'): readonly ResourceSubject[] {
  return stack.elements.filter((e) => e.block === block && e.type === type);
}

/** The stack's element at a Terraform address, if the stack holds it. */
export function elementAt(stack: StackSubject, address: string | undefined): ResourceSubject | undefined {
  return address === undefined ? undefined : stack.elements.find((e) => e.address === address);
}

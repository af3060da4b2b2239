/**
 * The resource budget: CloudFormation refuses a template of more than 500 resources; every stack
 * of the app (nested ones included) must stay at or under 400, so that a context can grow by a
 * few functions between two reviews without reaching the hard limit. Synthesis fails above the
 * budget, naming the stack and what to do (docs/adr/0012-stacks-and-resource-budget.md).
 */
import { type App, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import type { IConstruct, IValidation } from 'constructs';

/** CloudFormation's hard limit of resources per template. */
export const CLOUDFORMATION_RESOURCE_LIMIT = 500;
/** Our budget per stack: room under the hard limit. */
export const RESOURCE_BUDGET = 400;
/** Our budget of template size per stack, under CloudFormation's 1 MB for a template in S3. */
export const TEMPLATE_SIZE_BUDGET_BYTES = 800 * 1024;

/** The CloudFormation resources each stack under `scope` will hold (a nested stack's own resource counts in its parent). */
export function resourceCounts(scope: IConstruct): Map<Stack, number> {
  const counts = new Map<Stack, number>();
  for (const node of scope.node.findAll()) {
    if (Stack.isStack(node) && !counts.has(node)) counts.set(node, 0);
    if (!CfnResource.isCfnResource(node)) continue;
    const stack = Stack.of(node);
    counts.set(stack, (counts.get(stack) ?? 0) + 1);
  }
  return counts;
}

/** The stacks above `budget`, each with the remedy. */
export function resourceBudgetErrors(scope: IConstruct, budget = RESOURCE_BUDGET): string[] {
  const errors: string[] = [];
  for (const [stack, count] of resourceCounts(scope)) {
    if (count <= budget) continue;
    const remedy = NestedStack.isNestedStack(stack)
      ? 'split this bounded context (its functions under functions/<context>/) into two contexts, or move routes, rules or schedules to the context that owns them'
      : 'move resources into a nested stack';
    errors.push(
      `Resource budget: ${stack.node.path} holds ${count} resources, above the budget of ${budget} per stack (CloudFormation refuses more than ${CLOUDFORMATION_RESOURCE_LIMIT}): ${remedy}. See docs/adr/0012-stacks-and-resource-budget.md.`,
    );
  }
  return errors;
}

/** Makes `app.synth()` fail when any stack of the app is above `budget`. */
export function applyResourceBudget(app: App, budget = RESOURCE_BUDGET): void {
  const validation: IValidation = { validate: () => resourceBudgetErrors(app, budget) };
  app.node.addValidation(validation);
}

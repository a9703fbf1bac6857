import { z } from 'zod';
import type { FaultCatalog } from '../faults/define-fault';
import { experimentSchema } from './experiment-schema';
import { FAULT_PROVIDER_TITLE, PYTHON_PROVIDER_TITLE } from './activity-provider-schema';

type JsonSchemaNode = Record<string, unknown>;

/** One fault's provider as an editor sees it: its id and its own argument schema. */
function faultProviderVariants(catalog: FaultCatalog): JsonSchemaNode[] {
  return [...catalog.values()].map((fault) => {
    const args = z.toJSONSchema(fault.args, { io: 'input', unrepresentable: 'any' });
    delete args.$schema;
    return {
      type: 'object',
      description: `${fault.id} (${fault.kind}${fault.destructive ? ', destructive' : ''}): ${fault.description}`,
      properties: { type: { const: 'fault' }, id: { const: fault.id }, arguments: args },
      required: ['type', 'id'],
      additionalProperties: false,
    };
  });
}

/**
 * The experiment schema as JSON Schema (draft 2020-12), with each fault's arguments spelled out so
 * that editors complete and check them. Generated from the same zod schema the loader uses.
 */
export function experimentJsonSchema(catalog: FaultCatalog): JsonSchemaNode {
  const variants = faultProviderVariants(catalog);
  const schema = z.toJSONSchema(experimentSchema(catalog), {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const title = ctx.jsonSchema.title;
      if (title !== FAULT_PROVIDER_TITLE && title !== PYTHON_PROVIDER_TITLE) return;
      for (const key of Object.keys(ctx.jsonSchema)) delete ctx.jsonSchema[key];
      // The loader refuses Python providers with a message; editors flag them at once.
      Object.assign(ctx.jsonSchema, title === FAULT_PROVIDER_TITLE ? { title, oneOf: variants } : { title, not: {} });
    },
  });
  return {
    ...schema,
    $id: 'https://github.com/ecs-chaos-platform/chaos/experiment.schema.json',
    title: 'Chaos experiment',
    description:
      'A chaos experiment: steady-state hypothesis, method, rollbacks and recovery objective. chaostoolkit 1.x experiments are accepted too.',
  };
}

import { z } from 'zod';
import { UsageError } from '../../io/errors.js';
import { acceleratorSchema } from '../../schema/accelerator.js';
import { fleetSchema } from '../../schema/fleet.js';
import { mixSchema } from '../../schema/mix.js';
import { modelSchema } from '../../schema/model.js';
import { resultSchema } from '../../schema/result.js';
import { workloadSchema } from '../../schema/workload.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

export const SCHEMAS = {
  accelerator: acceleratorSchema,
  model: modelSchema,
  workload: workloadSchema,
  mix: mixSchema,
  fleet: fleetSchema,
  result: resultSchema,
} as const;

export function jsonSchemaFor(kind: keyof typeof SCHEMAS): string {
  const schema = z.toJSONSchema(SCHEMAS[kind](), { target: 'draft-2020-12' });
  return `${JSON.stringify({ title: `infercost ${kind}`, ...schema }, null, 2)}\n`;
}

export function schemaCommand(ctx: Context, kind: string): number {
  // Own keys only: `in` also finds toString and __proto__, and calling those was exit 70.
  if (!Object.hasOwn(SCHEMAS, kind))
    throw new UsageError(`schema ${kind}: expected one of ${Object.keys(SCHEMAS).join(', ')}`);
  ctx.io.stdout(jsonSchemaFor(kind as keyof typeof SCHEMAS));
  return EXIT.ok;
}

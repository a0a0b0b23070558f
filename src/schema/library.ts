// The library's inputs (src/index.ts), checked where a caller hands them over: a JavaScript
// caller has no type checker, and a wrong shape must be a UsageError naming the field, never a
// TypeError from deep inside (`input.workloads is not iterable`).
import { z } from 'zod';
import { dateSchema, once } from './common.js';

const strings = once(() => z.array(z.string().min(1)).readonly());
const plan = once(() => z.enum(['on_demand', 'reserved_1y', 'reserved_3y', 'spot', 'tco']));
const basis = once(() => z.enum(['hyperscaler', 'neocloud', 'marketplace']));
/** Options every function takes: the caller's profile folders and the date prices are read at. */
const common = once(() => ({
  profiles: strings().optional(),
  today: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    // A real month and day, said in this field's own form (the piped date schema offered YYYY-MM).
    .refine(
      (d) => dateSchema().safeParse(d).success,
      'expected a date as YYYY-MM-DD with a real month and day',
    )
    .optional(),
}));

export const compareInputSchema = once(() =>
  z.strictObject({
    workloads: z.array(z.union([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
    accelerators: strings().optional(),
    baseline: z.string().min(1).optional(),
    plan: plan().optional(),
    basis: basis().optional(),
    stack: z.string().min(1).optional(),
    set: z.array(z.string()).optional(),
    expect: z.array(z.string()).optional(),
    sort: z.string().min(1).optional(),
    pareto: z.boolean().optional(),
    ...common(),
  }),
);

export const claimInputSchema = once(() =>
  z.strictObject({
    claim: z.string().min(1),
    workloads: strings().optional(),
    plan: plan().optional(),
    basis: basis().optional(),
    stack: z.string().min(1).optional(),
    set: z.array(z.string()).optional(),
    ...common(),
  }),
);

export const fleetInputSchema = once(() =>
  z.strictObject({
    file: z.string().min(1),
    at: z.enum(['expected', 'low', 'high']).optional(),
    ...common(),
  }),
);

export const sweepInputSchema = once(() =>
  z.strictObject({
    workload: z.string().min(1),
    vary: z.array(z.string()).min(1),
    set: z.array(z.string()).optional(),
    accelerators: strings().optional(),
    baseline: z.string().min(1).optional(),
    plan: plan().optional(),
    format: z.enum(['csv', 'ndjson']).optional(),
    limit: z.number().int().positive().optional(),
    ...common(),
  }),
);

export const backtestInputSchema = once(() =>
  z.strictObject({
    files: strings().optional(),
    cv: z.boolean().optional(),
    mechanisms: z.string().optional(),
    against: z.string().optional(),
    ...common(),
  }),
);

export const calibrateInputSchema = once(() =>
  z.strictObject({
    accelerator: z.string().min(1),
    files: strings().optional(),
    factors: z.string().optional(),
    rows: z.string().optional(),
    includeAssumedInput: z.boolean().optional(),
    mechanisms: z.string().optional(),
    stack: z.string().min(1).optional(),
    ...common(),
  }),
);

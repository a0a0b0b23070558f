import { z } from 'zod';
import { PLANS } from '../engine/types.js';
import { idSchema, once, positive, positiveInt, powerQuantitySchema } from './common.js';

/**
 * A mixed-fleet plan (docs/model.md section 8a): workloads with demands, chip options with caps,
 * budgets, and what to optimise.
 */
export const fleetSchema = once(() =>
  z.strictObject({
    /** min_cost: meet every demand at least cost; max_tokens: serve the most within the budgets. */
    objective: z.enum(['min_cost', 'max_tokens']).optional(),
    /** Price plan for every chip (default on_demand; `tco` is the owner's cost). */
    plan: z.enum(PLANS).optional(),
    basis: z.enum(['hyperscaler', 'neocloud', 'marketplace']).optional(),
    /** Facility power for the whole fleet: `1GW`, `300MW`, or watts. */
    power_budget: powerQuantitySchema().optional(),
    /** Dollars a year for the whole fleet. */
    usd_per_year_budget: positive(1e15).optional(),
    workloads: z
      .array(
        z.strictObject({
          /** A workload file (relative to this file) or a bundled workload's name. */
          workload: z.string().min(1),
          demand: z
            .strictObject({
              output_tokens_per_day: positive(1e18).optional(),
              requests_per_s: positive(1e12).optional(),
            })
            .optional(),
        }),
      )
      .min(1),
    chips: z
      .array(
        z.strictObject({
          id: idSchema(),
          /** How many of this chip can be had. */
          max_chips: positiveInt(1e12).optional(),
        }),
      )
      .min(1),
  }),
);
export type FleetFile = z.infer<ReturnType<typeof fleetSchema>>;

import { z } from 'zod';
import { PLANS } from '../engine/types.js';
import { idSchema, once } from './common.js';

/**
 * A project's defaults (`infercost.yaml` in the working directory, or `--config FILE`), so CI
 * lines stay short. Flags on the command line win over it.
 */
export const configSchema = once(() =>
  z.strictObject({
    /** Directories of your own accelerator and model profiles, relative to this file. */
    profiles: z.array(z.string().min(1)).optional(),
    basis: z.enum(['hyperscaler', 'neocloud', 'marketplace']).optional(),
    plan: z.enum(PLANS).optional(),
    baseline: idSchema().optional(),
    accelerators: z.array(idSchema()).min(1).optional(),
    stack: idSchema().optional(),
  }),
);
export type ConfigFile = z.infer<ReturnType<typeof configSchema>>;

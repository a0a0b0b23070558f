import { layoutsFor, replicaSizes, replicasOf, setupFor, stagesFor } from './deploy.js';
import { replicaPoint } from './replica.js';
import type { Accelerator, Workload } from './types.js';

export interface ParetoPoint {
  readonly chips: number;
  readonly batch: number;
  /** `1 / TPOT(B)`: output tokens/s seen by one user. */
  readonly interactivity: number;
  readonly outputTokensPerSPerChip: number;
}

/** Batches 1, 2, 3, 4, 6, 8, 12, ... up to and including `max`: enough to trace the curve. */
function sampledBatches(max: number): number[] {
  const out: number[] = [];
  for (let b = 1; b <= max; b = b < 4 ? b + 1 : Math.ceil(b * 1.5)) out.push(b);
  if (out[out.length - 1] !== max) out.push(max);
  return out;
}

/**
 * The Pareto curve of (interactivity, tokens/s per chip) over B and N (docs/model.md
 * section 4), ignoring the SLO: the points no other point beats on both axes, sorted by
 * interactivity, highest first.
 */
export function paretoCurve(accelerator: Accelerator, workload: Workload): ParetoPoint[] {
  const setup = setupFor(accelerator, workload);
  if (!setup) return [];
  const points: ParetoPoint[] = [];
  const sizes = replicaSizes(accelerator.domainChips, workload.replicaChips);
  const replicaAt = replicasOf(accelerator, workload, setup);
  for (const chips of sizes) {
    for (const layout of layoutsFor(workload, chips)) {
      for (const stages of stagesFor(accelerator, workload, chips, sizes)) {
        const replica = replicaAt(chips, layout, stages);
        if (replica.maxBatch < 1) continue;
        const cap =
          workload.maxBatch === undefined ? replica.maxBatch : Math.min(replica.maxBatch, workload.maxBatch);
        for (const batch of sampledBatches(cap)) {
          const p = replicaPoint(replica, batch);
          points.push({
            chips: replica.chips,
            batch,
            interactivity: 1 / p.tpotS,
            outputTokensPerSPerChip: p.outputTokensPerS / replica.chips,
          });
        }
      }
    }
  }
  points.sort(
    (a, b) => b.interactivity - a.interactivity || b.outputTokensPerSPerChip - a.outputTokensPerSPerChip,
  );
  const front: ParetoPoint[] = [];
  for (const p of points) {
    const last = front[front.length - 1];
    if (!last || p.outputTokensPerSPerChip > last.outputTokensPerSPerChip) front.push(p);
  }
  return front;
}

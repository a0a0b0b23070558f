// `calibrate --all` writes only what it fitted: a profile's `default_stack` and `stacks`, spliced
// into the original text. Hand-written sources (long URLs, notes, comments, flow lists) stay byte
// for byte: an earlier writer re-serialised the whole file and folded URLs mid-word.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { stacksProfileText } from '../../src/api/calibrate.js';
import type { StackCalibration } from '../../src/fidelity/cv.js';

const LONG_URL = `https://example.com/${'a'.repeat(120)}.html`;

const ORIGINAL = `id: chip
# a comment the author wrote
interconnect:
  torus_dims: [4, 4]
efficiency:
  eta_mem: { value: 0.3968, status: calibrated }
  eta_prefill: { value: 0.652, status: assumed, low: 0.506, high: 0.816 }
  eta_decode: { value: 0.303, status: assumed, low: 0.231, high: 0.385 }
  eta_link: { value: 0.685, status: assumed, low: 0.5, high: 0.85 }
  t_step0_ms: { value: 3.741, status: assumed, low: 3.083, high: 4.464 }
sources:
  memory.capacity_gib:
    kind: vendor-spec
    source: "${LONG_URL}"
  efficiency.eta_mem:
    kind: analysis
    source: an old single-chip fit on one row
  interconnect.torus_dims:
    kind: vendor-spec
    source: a spec sheet # the author's comment
default_stack: old
stacks:
  old:
    level: pooled
    efficiency: { eta_mem: 0.5, eta_prefill: 0.5, eta_decode: 0.5, eta_link: 0.5, t_step0_ms: 1 }
    rows: 0
    interval_pct: { low: -50, high: 50 }
calibration:
  rows: [ x ]
  method: single-chip fit
tail: kept
`;

const ENTRY: StackCalibration = {
  stack: 'trtllm',
  level: 'pair',
  efficiency: { etaMem: 0.8, etaPrefill: 0.7, etaDecode: 0.4, etaLink: 0.5, tStep0S: 0.0115 },
  fitted: ['etaMem', 'tStep0S'],
  ids: ['row-a', 'row-b'],
  formats: ['fp4', 'fp8'],
  // exp(-0.1) - 1 = -9.516%, exp(0.2) - 1 = +22.14%: written to 3 significant digits, -9.52 and 22.1
  intervalLog: [-0.1, 0.2],
  cv: { rows: 2, medianAbsErrorPct: 12.345 },
};

describe('calibrate --all writes stacks and the efficiency block they imply', () => {
  it('replaces default_stack and stacks, drops calibration, keeps every other byte', () => {
    const out = stacksProfileText(ORIGINAL, [ENTRY]);
    const untouched = ORIGINAL.slice(0, ORIGINAL.indexOf('efficiency:'));
    expect(out.startsWith(untouched)).toBe(true);
    expect(out).toContain(`  memory.capacity_gib:\n    kind: vendor-spec\n    source: "${LONG_URL}"\n`);
    expect(out).toContain(
      "  interconnect.torus_dims:\n    kind: vendor-spec\n    source: a spec sheet # the author's comment\n",
    );
    expect(out.endsWith('tail: kept\n')).toBe(true);
    const doc = parse(out);
    expect(doc.default_stack).toBe('trtllm');
    expect(Object.keys(doc.stacks)).toEqual(['trtllm']);
    expect(doc.stacks.trtllm).toEqual({
      level: 'pair',
      // t_step0 in the file is ms: 0.0115 s = 11.5 ms
      efficiency: { eta_mem: 0.8, eta_prefill: 0.7, eta_decode: 0.4, eta_link: 0.5, t_step0_ms: 11.5 },
      fitted: ['eta_mem', 't_step0_ms'],
      fitted_formats: ['fp4', 'fp8'],
      fitted_on: ['row-a', 'row-b'],
      rows: 2,
      interval_pct: { low: -9.52, high: 22.1 },
      cv: { rows: 2, median_abs_error_pct: 12.3 },
    });
    expect(doc.calibration).toBeUndefined();
    expect(doc.interconnect.torus_dims).toEqual([4, 4]);
    expect(out).toContain('torus_dims: [4, 4]\n');
  });

  it('writes the efficiency block from the default stack: fitted factors calibrated, the rest assumed within the spread of pair fits', () => {
    // eta_prefill moved by pair fits to 0.5 and 0.7: range 0.5 x 0.9 = 0.45 to 0.7 x 1.1 = 0.77.
    // eta_link up to 0.95: 0.95 x 1.1 = 1.045, capped at 1. eta_decode moved by none: no range.
    const spread = { etaPrefill: [0.5, 0.7], etaLink: [0.6, 0.95] } as const;
    const doc = parse(stacksProfileText(ORIGINAL, [ENTRY], spread));
    expect(doc.efficiency).toEqual({
      eta_mem: { value: 0.8, status: 'calibrated' },
      eta_prefill: { value: 0.7, status: 'assumed', low: 0.45, high: 0.77 },
      eta_decode: { value: 0.4, status: 'assumed' },
      eta_link: { value: 0.5, status: 'assumed', low: 0.54, high: 1 },
      t_step0_ms: { value: 11.5, status: 'calibrated' },
    });
    // The old source is replaced in place, the missing four appended to the same map.
    expect(Object.keys(doc.sources)).toEqual([
      'memory.capacity_gib',
      'efficiency.eta_mem',
      'interconnect.torus_dims',
      'efficiency.eta_prefill',
      'efficiency.eta_decode',
      'efficiency.eta_link',
      'efficiency.t_step0_ms',
    ]);
    expect(doc.sources['efficiency.eta_mem'].kind).toBe('analysis');
    expect(doc.sources['efficiency.eta_mem'].source).toContain("this chip's trtllm fit on 2 rows");
    expect(doc.sources['efficiency.eta_decode'].kind).toBe('estimate');
    expect(doc.sources['efficiency.eta_decode'].note).toContain('no pair fit moved it');
  });

  it('a chip with no rows of its own on its default stack claims no calibrated factor', () => {
    const stackLevel: StackCalibration = { ...ENTRY, level: 'stack', ids: ['other-chip-row'] };
    const doc = parse(stacksProfileText(ORIGINAL, [stackLevel], { etaMem: [0.5, 0.9] }));
    const statuses = Object.values(doc.efficiency).map((f) => (f as { status: string }).status);
    expect(statuses).toEqual(['assumed', 'assumed', 'assumed', 'assumed', 'assumed']);
    expect(doc.efficiency.eta_mem).toEqual({ value: 0.8, status: 'assumed', low: 0.45, high: 0.99 });
    expect(doc.sources['efficiency.eta_mem'].source).toContain('stack-level fit');
  });

  it("writes a pair's layout fit (12a `layout_pairs`) under moe_across, and toAccelerator reads it back", async () => {
    const { acceleratorSchema } = await import('../../src/schema/accelerator.js');
    const { toAccelerator } = await import('../../src/schema/convert.js');
    const { bundled } = await import('../helpers/data.js');
    const PROFILE = bundled().accelerators.get('h100-sxm')?.value;
    const withLayout: StackCalibration = {
      ...ENTRY,
      moeAcross: {
        efficiency: { etaMem: 0.6, etaPrefill: 0.7, etaDecode: 0.4, etaLink: 0.45, tStep0S: 0.004 },
        fitted: ['etaMem', 'etaLink'],
        ids: ['dep-row'],
      },
    };
    const out = stacksProfileText(ORIGINAL, [withLayout]);
    expect(out).toContain(
      '    moe_across:\n      efficiency: { eta_mem: 0.6, eta_prefill: 0.7, eta_decode: 0.4, eta_link: 0.45, t_step0_ms: 4 }\n      fitted: [ eta_mem, eta_link ]\n      fitted_on:\n        - dep-row\n      rows: 1\n',
    );
    const stack = parse(out).stacks.trtllm;
    const file = acceleratorSchema().parse({
      ...PROFILE,
      default_stack: 'trtllm',
      stacks: { trtllm: stack },
    });
    const acc = toAccelerator(file);
    // t_step0 4 ms in the file, 0.004 s in the engine; the stack's own factors unchanged
    expect(acc.moeAcrossEfficiency).toEqual({
      etaMem: 0.6,
      etaPrefill: 0.7,
      etaDecode: 0.4,
      etaLink: 0.45,
      tStep0S: 0.004,
    });
    expect(acc.efficiency.etaMem).toBe(0.8);
    // A stack entry without one carries none.
    const plain = parse(stacksProfileText(ORIGINAL, [ENTRY])).stacks.trtllm;
    expect(
      toAccelerator(
        acceleratorSchema().parse({ ...PROFILE, default_stack: 'trtllm', stacks: { trtllm: plain } }),
      ).moeAcrossEfficiency,
    ).toBeUndefined();
  });

  it('appends default_stack and stacks to a profile that has neither', () => {
    const bare = 'id: chip\nname: Chip # trailing comment';
    const out = stacksProfileText(bare, [ENTRY]);
    expect(out.startsWith(`${bare}\n`)).toBe(true);
    const doc = parse(out);
    expect(doc.name).toBe('Chip');
    expect(doc.default_stack).toBe('trtllm');
    expect(doc.stacks.trtllm.rows).toBe(2);
  });

  it('writing twice gives the same text', () => {
    const once = stacksProfileText(ORIGINAL, [ENTRY]);
    expect(stacksProfileText(once, [ENTRY])).toBe(once);
  });
});

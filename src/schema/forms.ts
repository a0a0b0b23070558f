import type { AcceleratorFile } from './accelerator.js';

/**
 * The profiles a profile's `form_factors` describe (docs/model.md section 1): the same chip, under
 * the form's id and name, with the form's scale-up domain (and torus, system power and prices
 * where it gives them) and the form's source for each number it replaces.
 */
export function formFactorProfiles(p: AcceleratorFile): AcceleratorFile[] {
  return (p.form_factors ?? []).map((f) => {
    const cited = { kind: f.kind, source: f.source, ...(f.note === undefined ? {} : { note: f.note }) };
    const { form_factors: _forms, ...base } = p;
    return {
      ...base,
      id: f.id,
      name: f.name,
      interconnect: {
        ...p.interconnect,
        domain_chips: f.domain_chips,
        ...(f.torus_dims === undefined ? {} : { torus_dims: f.torus_dims }),
      },
      power: {
        ...p.power,
        ...(f.system_w_per_chip === undefined ? {} : { system_w_per_chip: f.system_w_per_chip }),
      },
      ...(f.prices === undefined ? {} : { prices: f.prices }),
      sources: {
        ...p.sources,
        'interconnect.domain_chips': cited,
        ...(f.torus_dims === undefined ? {} : { 'interconnect.torus_dims': cited }),
        ...(f.system_w_per_chip === undefined ? {} : { 'power.system_w_per_chip': cited }),
      },
      notes: `${f.name}: a form of ${p.id} (${p.name}).${p.notes ? ` ${p.notes}` : ''}`,
    };
  });
}

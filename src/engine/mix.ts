// Blending a traffic mix (docs/model.md section 8b): shares are of output tokens.

/** A per-token quantity ($ per 1M tokens): `sum s_w v_w`; null when any class has none. */
export function blendPerToken(shares: readonly number[], values: readonly (number | null)[]): number | null {
  let total = 0;
  for (let i = 0; i < shares.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) return null;
    total += (shares[i] as number) * v;
  }
  return total;
}

/** A tokens-per-unit quantity (tokens per $ or per joule): `1 / sum s_w / v_w`; null when any is missing or 0. */
export function blendTokensPer(shares: readonly number[], values: readonly (number | null)[]): number | null {
  let unitsPerToken = 0;
  for (let i = 0; i < shares.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || v <= 0) return null;
    unitsPerToken += (shares[i] as number) / v;
  }
  return unitsPerToken > 0 ? 1 / unitsPerToken : null;
}

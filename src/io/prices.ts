// `infercost prices import`: a public price catalog the user downloaded (SkyPilot's catalog CSVs
// for AWS, GCP, Azure and others: InstanceType, AcceleratorName, AcceleratorCount, Price,
// SpotPrice, Region) into dated quotes per chip, so prices are refreshed without editing YAML.
import { basename } from 'node:path';
import { MAX_USD_PER_CHIP_HOUR, type PriceQuote } from '../schema/accelerator.js';
import { DECIMAL_TEXT as DECIMAL } from '../schema/common.js';
import { parseCsv } from './csv.js';
import { InputError } from './errors.js';

/** Catalog accelerator names to profile ids (SkyPilot's names; the TPU rows name the chip). */
export const CATALOG_ACCELERATORS: Readonly<Record<string, string>> = {
  H100: 'h100-sxm',
  'H100-SXM': 'h100-sxm',
  H200: 'h200-sxm',
  B200: 'b200',
  GB200: 'gb200',
  MI300X: 'mi300x',
  MI325X: 'mi325x',
  MI355X: 'mi355x',
  'tpu-v5-lite': 'tpu-v5e',
  'tpu-v5litepod': 'tpu-v5e',
  'tpu-v5e': 'tpu-v5e',
  'tpu-v6e': 'tpu-v6e-trillium',
  'tpu-v7x': 'tpu-v7-ironwood',
  Trainium2: 'trainium2',
  Trainium3: 'trainium3',
};

export interface ImportOptions {
  readonly file: string;
  readonly provider: string;
  readonly basis: 'hyperscaler' | 'neocloud' | 'marketplace';
  /** The date the catalog was made (YYYY, YYYY-MM or YYYY-MM-DD): a quote is only as fresh as it. */
  readonly asOf: string;
  readonly region?: string | undefined;
}

export interface Imported {
  /** Per chip id: the cheapest on-demand and spot quote per chip in the catalog (or region). */
  readonly quotes: ReadonlyMap<string, readonly PriceQuote[]>;
  /** Accelerator names in the catalog that no profile represents, with their row counts. */
  readonly skipped: ReadonlyMap<string, number>;
}

function round4(v: number): number {
  return Number(v.toPrecision(4));
}

/** Reads the catalog's rows into quotes (pure over the text). */
export function importCatalog(text: string, opts: ImportOptions): Imported {
  const records = parseCsv(text, opts.file);
  const header = records[0]?.fields.map((h) => h.trim()) ?? [];
  const col = (name: string) => header.indexOf(name);
  for (const need of ['InstanceType', 'AcceleratorName', 'AcceleratorCount', 'Price']) {
    if (col(need) < 0)
      throw new InputError(
        opts.file,
        1,
        1,
        '',
        `not a price catalog: no ${need} column (expected SkyPilot's vms.csv format)`,
      );
  }
  const best = new Map<
    string,
    {
      onDemand?: { usd: number; note: string; region: string };
      spot?: { usd: number; note: string; region: string };
    }
  >();
  const skipped = new Map<string, number>();
  for (const r of records.slice(1)) {
    const get = (name: string) => (col(name) < 0 ? '' : (r.fields[col(name)] ?? '').trim());
    const name = get('AcceleratorName');
    if (name === '') continue;
    const region = get('Region');
    if (opts.region !== undefined && region !== opts.region) continue;
    const chip = Object.hasOwn(CATALOG_ACCELERATORS, name) ? CATALOG_ACCELERATORS[name] : undefined;
    if (chip === undefined) {
      skipped.set(name, (skipped.get(name) ?? 0) + 1);
      continue;
    }
    // A cell that is there but not a number is an error at its place: skipped, it would drop an
    // offer without a word; taken, an infinite price would reach a profile.
    const bad = (column: string, expected: string) =>
      new InputError(
        opts.file,
        r.line,
        r.columns[col(column)] ?? 1,
        column,
        `expected ${expected}, got "${get(column)}"`,
      );
    // Decimal digits only (SkyPilot writes 8.0: the column is a float, empty on CPU rows):
    // Number() also reads "0x10" (16) and "0b1", which no catalog means.
    const count = /^\s*\d+(\.0*)?\s*$/.test(get('AcceleratorCount'))
      ? Number(get('AcceleratorCount'))
      : Number.NaN;
    if (!(Number.isSafeInteger(count) && count > 0)) throw bad('AcceleratorCount', 'a whole number of chips');
    const entry = best.get(chip) ?? {};
    for (const [key, column] of [
      ['onDemand', 'Price'],
      ['spot', 'SpotPrice'],
    ] as const) {
      const text = get(column);
      const price = DECIMAL.test(text) ? Number(text) : Number.NaN;
      // A price written above zero that reads as 0 (1e-400) would pass for "not offered".
      const underflow = price === 0 && /[1-9]/.test(text.replace(/e.*$/i, ''));
      if (text !== '' && !(Number.isFinite(price) && price >= 0 && !underflow))
        throw bad(column, 'a price in USD per hour');
      // SkyPilot writes 700.0 (or leaves the cell empty, or 0) for "not offered".
      if (get(column) === '' || price === 0 || price === 700) continue;
      const usd = price / count;
      // The profile this quote goes into would fail its own check: an error here, at its cell.
      if (usd > MAX_USD_PER_CHIP_HOUR)
        throw bad(
          column,
          `a price of at most $${MAX_USD_PER_CHIP_HOUR.toLocaleString('en-US')} per chip-hour ($${price}/h over ${count} chips is $${round4(usd)})`,
        );
      const current = entry[key];
      if (!current || usd < current.usd)
        entry[key] = {
          usd,
          region,
          note: `${get('InstanceType')} $${price}/h / ${count} chips${region ? `, ${region}` : ''}`,
        };
    }
    best.set(chip, entry);
  }
  const quotes = new Map<string, PriceQuote[]>();
  for (const [chip, e] of best) {
    const list: PriceQuote[] = [];
    for (const [plan, q] of [
      ['on_demand', e.onDemand],
      ['spot', e.spot],
    ] as const) {
      if (!q) continue;
      list.push({
        plan,
        basis: opts.basis,
        usd_per_chip_hour: round4(q.usd),
        as_of: opts.asOf,
        provider: opts.provider,
        region: q.region || 'any',
        kind: 'vendor-spec',
        source: `${opts.provider} prices in a price catalog (${basename(opts.file)}), imported with infercost prices import`,
        note: `Cheapest per chip in the catalog: ${q.note}.${plan === 'spot' ? ' Spot prices move daily.' : ''}`,
      });
    }
    if (list.length > 0) quotes.set(chip, list);
  }
  return { quotes, skipped };
}

import { basename, join } from 'node:path';
import { Document, parse } from 'yaml';
import { writeFilesAtomic } from '../../io/atomic.js';
import { UsageError } from '../../io/errors.js';
import { readTextFile } from '../../io/files.js';
import { importCatalog } from '../../io/prices.js';
import { MAX_FILE_BYTES, replaceTopLevel } from '../../io/yaml.js';
import { usd } from '../../render/format.js';
import { fittedTable, hiddenLine } from '../../render/table.js';
import { escapeText } from '../../render/text.js';
import type { PriceQuote } from '../../schema/accelerator.js';
import { dateSchema, isAfterToday } from '../../schema/common.js';
import type { Context } from '../context.js';
import { EXIT } from '../exit.js';

const MAX_CATALOG_BYTES = 64_000_000;
const BASES = ['hyperscaler', 'neocloud', 'marketplace'] as const;

export interface PricesImportOptions {
  readonly provider: string;
  readonly asOf: string;
  readonly basis?: string;
  readonly region?: string;
  readonly outputDir?: string;
}

/**
 * A profile's text with the imported quotes replacing that provider's quotes for the same plans.
 * Only the `prices` entry is rewritten; the rest of the file stays as its author wrote it.
 */
export function withQuotes(original: string, quotes: readonly PriceQuote[]): string {
  const old = ((parse(original) as { prices?: PriceQuote[] } | null)?.prices ?? []).filter(
    (q) => !quotes.some((n) => n.plan === q.plan && n.provider.toLowerCase() === q.provider.toLowerCase()),
  );
  return replaceTopLevel(original, {
    prices: new Document({ prices: [...quotes, ...old] }).toString({ lineWidth: 110 }),
  });
}

/** `infercost prices import CATALOG.csv --provider AWS --as-of 2026-07`: dated quotes per chip. */
export function pricesImportCommand(ctx: Context, file: string, opts: PricesImportOptions): number {
  if (!dateSchema().safeParse(opts.asOf).success)
    throw new UsageError(`--as-of ${opts.asOf}: expected the catalog's date as YYYY, YYYY-MM or YYYY-MM-DD`);
  // A quote dated later than today would never be flagged as stale.
  if (isAfterToday(opts.asOf, ctx.io.today))
    throw new UsageError(
      `--as-of ${opts.asOf}: a date after today (${ctx.io.today}); give the date the catalog's prices were published`,
    );
  const basis = opts.basis ?? 'hyperscaler';
  if (!(BASES as readonly string[]).includes(basis))
    throw new UsageError(`--basis ${basis}: expected one of ${BASES.join(', ')}`);
  if (opts.provider.trim() === '')
    throw new UsageError('--provider: expected who the prices are from, e.g. AWS');
  const text = readTextFile(file, file, MAX_CATALOG_BYTES);
  const { quotes, skipped } = importCatalog(text, {
    file,
    provider: opts.provider,
    basis: basis as (typeof BASES)[number],
    asOf: opts.asOf,
    region: opts.region,
  });
  if (quotes.size === 0) {
    const skippedNote =
      skipped.size > 0 ? ` (names without a profile: ${[...skipped.keys()].join(', ')})` : '';
    throw new UsageError(
      `${file}: no row prices an accelerator infercost profiles${opts.region === undefined ? '' : ` in region ${opts.region}`}${skippedNote}`,
    );
  }
  const catalog = ctx.catalog();
  const rows: string[][] = [];
  const outputs: { path: string; text: string; what: string; updates: string }[] = [];
  // A written profile replaces the provider's quote whatever its date: a newer one lost to an
  // older catalog is said (the quote is only as fresh as the catalog it came from).
  const older: string[] = [];
  for (const [chip, list] of [...quotes.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    // usd(), as compare prints prices: toFixed(2) showed a sub-cent quote as 0.00.
    for (const q of list) rows.push([chip, q.plan, usd(q.usd_per_chip_hour), q.region, q.note ?? '']);
    const entry = catalog.accelerators.get(chip);
    if (opts.outputDir !== undefined && entry)
      for (const q of list)
        for (const kept of (entry.value.prices ?? []).filter(
          (p) => p.plan === q.plan && p.provider.toLowerCase() === opts.provider.toLowerCase(),
        ))
          if (newerThan(String(kept.as_of), opts.asOf))
            older.push(`${chip} ${q.plan} (${kept.provider}'s quote as of ${kept.as_of})`);
    if (opts.outputDir !== undefined && entry)
      outputs.push({
        path: join(opts.outputDir, basename(entry.file)),
        text: withQuotes(readTextFile(entry.file, entry.file, MAX_FILE_BYTES), list),
        what: chip,
        updates: entry.file,
      });
  }
  // Every profile or none: a target that cannot be written leaves the others as they were.
  writeFilesAtomic(outputs, [file]);
  // On a terminal the table fits its width: where the quote came from goes first, then the region;
  // narrower still, one block per quote.
  const fitted = fittedTable(
    ['chip', 'plan', '$/chip-h', 'region', 'from'],
    ['left', 'left', 'right', 'left', 'left'],
    rows,
    [4, 3],
    ctx.io.stdoutColumns,
  );
  const hidden = hiddenLine(fitted.hidden, ctx.io.stdoutColumns, 'a pipe or the written profiles have');
  ctx.io.stdout(escapeText(`${[fitted.text, ...hidden].join('\n')}\n`));
  if (older.length > 0)
    ctx.io.stderr(`replaced newer quotes with this catalog's, as of ${opts.asOf}: ${older.join(', ')}\n`);
  if (skipped.size > 0)
    ctx.io.stderr(
      `not imported (no profile): ${[...skipped.entries()].map(([n, c]) => `${n} (${c} rows)`).join(', ')}\n`,
    );
  return EXIT.ok;
}

/**
 * An ISO date (2026, 2026-01, 2026-01-15) after another, read at the precision both share: a
 * catalog as of 2025 is not known to be older than a quote of 2025-06.
 */
function newerThan(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n) > b.slice(0, n);
}

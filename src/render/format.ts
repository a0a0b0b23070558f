// Number formatting for human-facing formats (table, Markdown). Data formats print full precision.

// What `toLocaleString('en-US', ...)` prints, without it: the first call into Intl loads ICU's
// number formatting, ~25 ms of a table's cold start (docs/performance.md). A property test holds
// these equal to Intl's output.

/** The plain decimal digits of a finite |n| >= 0 in its shortest round-trip form (no exponent). */
function plainDecimal(abs: number): string {
  const s = String(abs);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const [int = '', frac = ''] = s.slice(0, e).split('.');
  const digits = int + frac;
  const point = int.length + Number(s.slice(e + 1));
  return point <= 0
    ? `0.${'0'.repeat(-point)}${digits}`
    : point >= digits.length
      ? digits + '0'.repeat(point - digits.length)
      : `${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A string of decimal digits plus one, `999` -> `1000`. */
function increment(digits: string): string {
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === '9') i--;
  if (i < 0) return `1${'0'.repeat(digits.length)}`;
  return digits.slice(0, i) + String(Number(digits[i]) + 1) + '0'.repeat(digits.length - 1 - i);
}

/** Thousands separators in a string of integer digits. */
function group(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/**
 * `n` with exactly `digits` decimals and thousands separators, rounded half away from zero on its
 * shortest decimal form, as Intl does (so 1.005 prints 1.01, where toFixed gives 1.00).
 */
function localeFixed(n: number, digits: number): string {
  const sign = n < 0 || Object.is(n, -0) ? '-' : '';
  const [int = '0', frac = ''] = plainDecimal(Math.abs(n)).split('.');
  let whole = int + frac.slice(0, digits).padEnd(digits, '0');
  if (frac.length > digits && (frac.charCodeAt(digits) as number) >= 53) whole = increment(whole);
  const intPart = whole.slice(0, whole.length - digits).replace(/^0+(?=\d)/, '') || '0';
  return `${sign}${group(intPart)}${digits > 0 ? `.${whole.slice(whole.length - digits)}` : ''}`;
}

export function fixed(n: number | null | undefined, digits: number): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return localeFixed(n, digits);
}

/**
 * Dollars to the cent; below ten cents, two significant digits, so that a small model's
 * $0.0029 per million tokens (or a price given as 1e-9) does not print as 0.00.
 */
export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n === 0 || Math.abs(n) >= 0.0995 ? localeFixed(n, 2) : n.toPrecision(2);
}

/** An integer with thousands separators: `Math.round(n).toLocaleString('en-US')`. */
export function grouped(n: number): string {
  return localeFixed(Math.round(n), 0);
}

/** What `n.toLocaleString('en-US')` prints: up to three decimals, trailing zeros dropped. */
export function localeNumber(n: number): string {
  return localeFixed(n, 3).replace(/\.?0+$/, '');
}

/** Three significant digits, thousands separated; '-' for a missing value. */
export function sig(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  // Beyond a quadrillion digits stop meaning anything (a utilization of 1e-300 makes a cost
  // 300 digits long): three significant figures and the exponent.
  if (abs >= 1e15) return n.toPrecision(3);
  // Each band starts where the one below would round up into it: 999.7 prints 1,000, not 1000,
  // and 99.97 prints 100, not 100.0.
  if (abs >= 999.5) return grouped(n);
  if (abs >= 99.95) return n.toFixed(0);
  if (abs >= 9.995) return n.toFixed(1);
  if (abs >= 0.9995) return n.toFixed(2);
  if (abs === 0) return '0';
  return n.toPrecision(3);
}

export function ratio(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  // As sig: past a quadrillion, three significant figures (toFixed prints every digit of a
  // 1.7e303 ratio, or its full shortest form from 1e21 on).
  return Math.abs(n) >= 1e15 ? `${n.toPrecision(3)}x` : `${n.toFixed(2)}x`;
}

export function millis(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-';
  return sig(seconds * 1000);
}

/** Large counts with an SI suffix and three significant digits: 1.25T, 840G, 3.10M. */
export function compact(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  const abs = Math.abs(n);
  if (abs >= 1e18) return n.toPrecision(3);
  for (const [div, suffix] of [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const) {
    if (abs >= div) return `${Number((n / div).toPrecision(3))}${suffix}`;
  }
  // A whole count (chips, replicas) is printed whole: 3, not 3.00.
  return Number.isInteger(n) ? String(n) : sig(n);
}

import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from 'yaml';
import { InputError } from './errors.js';
import { readTextFile } from './files.js';

export const MAX_FILE_BYTES = 1_000_000;
const MAX_ALIASES = 100;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A parsed YAML file that can say where any path in it is. */
export interface LocatedYaml {
  readonly file: string;
  readonly data: unknown;
  /**
   * The data as the build validated it (a bundled workload whose text is unchanged: see
   * bundledWorkload in catalog.ts), so that loading it need not validate again.
   */
  readonly validated?: unknown;
  /** 1-based line and column of the value (or key) at `path`, or of its nearest existing parent. */
  locate(path: readonly (string | number)[], atKey?: boolean): { line: number; col: number };
}

function nodeRange(node: unknown): [number, number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ?? undefined;
}

/** Finds the node (or key node) at `path`, or the deepest existing ancestor. */
function findNode(doc: Document, path: readonly (string | number)[], atKey: boolean): unknown {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key),
      );
      if (!pair) return node;
      if (last && atKey) return pair.key;
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key];
      if (item === undefined) return node;
      node = item;
    } else {
      return node;
    }
  }
  return node;
}

function firstForbiddenKey(doc: Document): Node | undefined {
  let found: Node | undefined;
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && FORBIDDEN_KEYS.has(String(pair.key.value))) {
        found = pair.key;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Parses YAML text; every problem is an InputError naming file, line and column. */
export function parseYaml(text: string, file: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, version: '1.2' });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const firstError = doc.errors[0];
  if (firstError) {
    const { line, col } = at(firstError.pos[0]);
    const message =
      firstError.code === 'DUPLICATE_KEY'
        ? 'duplicate key (each key may appear once in a mapping)'
        : `YAML syntax error: ${firstError.message.split('\n')[0]}`;
    const key = firstError.code === 'DUPLICATE_KEY' ? duplicateKeyName(text, firstError.pos[0]) : '';
    throw new InputError(file, line, col, key, message);
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    throw new InputError(file, 1, 1, '', 'file is empty');
  }
  const forbidden = firstForbiddenKey(doc);
  if (forbidden) {
    const { line, col } = at(nodeRange(forbidden)?.[0] ?? 0);
    throw new InputError(
      file,
      line,
      col,
      '',
      `key "${String((forbidden as { value?: unknown }).value)}" is not allowed`,
    );
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIASES });
  } catch {
    throw new InputError(
      file,
      1,
      1,
      '',
      `too many YAML alias expansions (more than ${MAX_ALIASES}): refusing a possible alias bomb`,
    );
  }
  return {
    file,
    data,
    locate(path, atKey = false) {
      const node = findNode(doc, path, atKey);
      return at(nodeRange(node)?.[0] ?? 0);
    },
  };
}

function duplicateKeyName(text: string, offset: number): string {
  const rest = text.slice(offset);
  const m = /^\s*([^:\n]+?)\s*:/.exec(rest);
  return m?.[1]?.replace(/^["']|["']$/g, '') ?? '';
}

/** Reads and parses a YAML file, refusing files over 1 MB before reading them. */
export function readYamlFile(path: string, displayName = path): LocatedYaml {
  return parseYaml(readTextFile(path, displayName, MAX_FILE_BYTES), displayName);
}

/**
 * Replaces (or, with `undefined`, removes) top-level entries of a YAML mapping by their text
 * ranges; an entry the file lacks is appended. `text` is the whole rendered entry, key included.
 * Everything else in the file (comments, line breaks, quoting) stays byte for byte: tools that
 * rewrite part of a hand-written profile (`calibrate --all`, `prices import`) use it.
 */
export function replaceTopLevel(
  original: string,
  replacements: Readonly<Record<string, string | undefined>>,
): string {
  const doc = parseDocument(original);
  const edits: { start: number; end: number; text: string }[] = [];
  const seen = new Set<string>();
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined || !Object.hasOwn(replacements, key) || !pair.key.range) continue;
      seen.add(key);
      const start = pair.key.range[0];
      const end = (
        isNode(pair.value) && pair.value.range ? pair.value.range[2] : pair.key.range[2]
      ) as number;
      const text = replacements[key] ?? '';
      edits.push({
        start,
        end,
        text: original.slice(start, end).endsWith('\n') ? text : text.replace(/\n$/, ''),
      });
    }
  }
  let out = original;
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  for (const [key, text] of Object.entries(replacements)) {
    if (seen.has(key) || text === undefined) continue;
    out = `${out.endsWith('\n') || out === '' ? out : `${out}\n`}${text}`;
  }
  return out;
}

/**
 * Replaces (or, with `undefined`, removes) entries of the block mapping under the top-level key
 * `mapKey`, by their text ranges; an entry the mapping lacks is appended to it (and the mapping
 * to the file when it has none). Each text is the entry as a top-level YAML entry, key included;
 * it is indented to the mapping's children. Every other byte stays as it was.
 */
export function replaceNestedEntries(
  original: string,
  mapKey: string,
  replacements: Readonly<Record<string, string | undefined>>,
): string {
  const doc = parseDocument(original);
  const outer = isMap(doc.contents)
    ? doc.contents.items.find((p) => isScalar(p.key) && String(p.key.value) === mapKey)
    : undefined;
  const inner = outer && isMap(outer.value) && !outer.value.flow ? outer.value : undefined;
  const indentAt = (offset: number) => offset - (original.lastIndexOf('\n', offset - 1) + 1);
  const firstKey = inner?.items[0]?.key;
  const indent = isNode(firstKey) && firstKey.range ? indentAt(firstKey.range[0]) : 2;
  const indented = (text: string) =>
    text
      .replace(/\n$/, '')
      .split('\n')
      .map((line, i) => (i === 0 || line === '' ? line : ' '.repeat(indent) + line))
      .join('\n');
  if (!inner) {
    if (outer) throw new Error(`${mapKey} is not a block mapping`);
    const added = Object.values(replacements).flatMap((t) =>
      t === undefined ? [] : [' '.repeat(indent) + indented(t)],
    );
    if (added.length === 0) return original;
    const head = original.endsWith('\n') || original === '' ? original : `${original}\n`;
    return `${head}${mapKey}:\n${added.join('\n')}\n`;
  }
  const edits: { start: number; end: number; text: string }[] = [];
  const seen = new Set<string>();
  let lastEnd = 0;
  for (const pair of inner.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
    const range = isNode(pair.key) ? pair.key.range : undefined;
    const end = (isNode(pair.value) && pair.value.range ? pair.value.range[2] : range?.[2]) ?? 0;
    lastEnd = Math.max(lastEnd, end);
    if (key === undefined || !Object.hasOwn(replacements, key) || !range) continue;
    seen.add(key);
    const text = replacements[key];
    // A removed entry takes its line's indentation with it.
    const start = text === undefined ? range[0] - indentAt(range[0]) : range[0];
    const body = text === undefined ? '' : indented(text);
    edits.push({
      start,
      end,
      text: original.slice(start, end).endsWith('\n') && body !== '' ? `${body}\n` : body,
    });
  }
  const appended = Object.entries(replacements).flatMap(([k, t]) =>
    seen.has(k) || t === undefined ? [] : [' '.repeat(indent) + indented(t)],
  );
  if (appended.length > 0) {
    const atLineStart = original[lastEnd - 1] === '\n';
    edits.push({
      start: lastEnd,
      end: lastEnd,
      text: atLineStart ? `${appended.join('\n')}\n` : `\n${appended.join('\n')}`,
    });
  }
  let out = original;
  for (const e of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

// Untrusted text (names and notes from workload and profile files, messages that quote input)
// never reaches a terminal raw: an escape sequence in a `name:` could retitle the window, recolour
// the screen or (OSC 52) write the clipboard. Human formats show such characters as visible
// escapes; data formats keep them faithfully but escaped.

/** C0 and C1 controls, DEL, the line/paragraph separators and the bidirectional overrides. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_KEEP_LINES = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One cell or field of human output: every control character shown as `\x1b`. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, visible);
}

const MAX_MESSAGE_LINE = 1000;
const KEEP_HEAD = 700;
const KEEP_TAIL = 250;

/**
 * A message for stderr: newlines kept, other controls made visible, each line kept short. A line
 * that quotes a huge input is cut in its middle, so that both the place and the message's end
 * (its "did you mean", the names it accepts) survive; at 300 characters cut at the end, a list
 * of the accepted column names lost its last ones and the hint after them.
 */
export function sanitizeLine(text: string): string {
  return text
    .replace(UNSAFE_KEEP_LINES, visible)
    .split('\n')
    .map((l) =>
      l.length > MAX_MESSAGE_LINE ? `${l.slice(0, KEEP_HEAD)} ... ${l.slice(l.length - KEEP_TAIL)}` : l,
    )
    .join('\n');
}

/** JSON text with the characters JSON.stringify leaves raw (DEL, C1, U+2028/9, bidi) escaped. */
export function safeJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** One Markdown table cell: every control (line breaks too) made visible, and `|` escaped. */
export function markdownCell(text: string): string {
  return escapeControl(text).replace(/\|/g, '\\|');
}

/** Human text with no colour of its own: every control but the line break made visible. */
export function escapeText(text: string): string {
  return text.replace(UNSAFE_KEEP_LINES, visible);
}

/** A copy of a value with every string passed through `escapeControl` (for human renderers). */
export function escapeStrings<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map((v) => escapeStrings(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = escapeStrings(v);
    return out as T;
  }
  return value;
}

/** stderr as written by commands: line breaks, carriage returns and the progress line's erase kept. */
export function sanitizeStderr(text: string): string {
  return text
    .split('\r\u001b[2K')
    .map((part) =>
      part.replace(
        /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
        visible,
      ),
    )
    .join('\r\u001b[2K');
}

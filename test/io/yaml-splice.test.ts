// Splicing entries of a nested mapping (calibrate --all rewrites `sources.efficiency.*` this way):
// the other entries, comments and quoting stay byte for byte.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { replaceNestedEntries } from '../../src/io/yaml.js';

const FILE = `id: x
sources:
  a:
    kind: spec # kept
  b: { kind: old }
  c:
    kind: spec
tail: 1
`;

describe('replaceNestedEntries', () => {
  it('replaces an entry in place, removes one, appends a new one at the mapping end', () => {
    const out = replaceNestedEntries(FILE, 'sources', {
      b: 'b:\n  kind: new\n  note: two lines\n',
      c: undefined,
      d: 'd:\n  kind: added\n',
    });
    expect(out).toBe(`id: x
sources:
  a:
    kind: spec # kept
  b:
    kind: new
    note: two lines
  d:
    kind: added
tail: 1
`);
    expect(parse(out).tail).toBe(1);
  });

  it('adds the mapping when the file has none; nothing to add leaves the file as it was', () => {
    expect(replaceNestedEntries('id: x', 'sources', { a: 'a:\n  kind: spec\n' })).toBe(
      'id: x\nsources:\n  a:\n    kind: spec\n',
    );
    expect(replaceNestedEntries(FILE, 'sources', {})).toBe(FILE);
    expect(replaceNestedEntries('id: x\n', 'sources', { a: undefined })).toBe('id: x\n');
  });
});

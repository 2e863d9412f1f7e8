import {
  CONFLICT_MARKERS,
  changeCount,
  hunks,
  lineDiff,
  reapply
} from '../../../core/config/merge';

const BASE =
  [
    'a: 1',
    'b: 2',
    'c: 3',
    'd: 4',
    'e: 5',
    'f: 6',
    'g: 7',
    'h: 8',
    'i: 9',
    'j: 10'
  ].join('\n') + '\n';

describe('lineDiff and hunks', () => {
  it('lists changed lines with their line numbers, and context around them', () => {
    const after = BASE.replace('b: 2', 'b: 20').replace(
      'j: 10',
      'j: 10\nk: 11'
    );
    const diff = lineDiff(BASE, after);
    expect(changeCount(diff)).toEqual({ added: 2, removed: 1 });
    expect(diff.filter(l => l.kind !== 'same')).toEqual([
      { kind: 'del', text: 'b: 2', oldLine: 2 },
      { kind: 'add', text: 'b: 20', newLine: 2 },
      { kind: 'add', text: 'k: 11', newLine: 11 }
    ]);
    const found = hunks(diff, 1);
    expect(found.map(h => [h.skipped, h.lines.map(l => l.text)])).toEqual([
      [0, ['a: 1', 'b: 2', 'b: 20', 'c: 3']],
      [6, ['j: 10', 'k: 11']]
    ]);
  });

  it('has no hunks when nothing changed', () => {
    expect(hunks(lineDiff(BASE, BASE))).toEqual([]);
  });
});

describe('reapply', () => {
  it('re-applies an edit of other lines cleanly on the new head', () => {
    const theirs = BASE.replace('h: 8', 'h: 80');
    const yours = BASE.replace('b: 2', 'b: 20');
    const merged = reapply(BASE, theirs, yours);
    expect(merged.conflicts).toBe(0);
    expect(merged.text).toBe(
      BASE.replace('h: 8', 'h: 80').replace('b: 2', 'b: 20')
    );
  });

  it('keeps both sides between markers where both changed the same line', () => {
    const theirs = BASE.replace('b: 2', 'b: 200');
    const yours = BASE.replace('b: 2', 'b: 20');
    const merged = reapply(BASE, theirs, yours);
    expect(merged.conflicts).toBe(1);
    expect(merged.text.split('\n').slice(0, 6)).toEqual([
      'a: 1',
      CONFLICT_MARKERS.theirs,
      'b: 200',
      CONFLICT_MARKERS.separator,
      'b: 20',
      CONFLICT_MARKERS.yours
    ]);
  });

  it('treats the same change on both sides as no conflict', () => {
    const both = BASE.replace('c: 3', 'c: 30');
    expect(reapply(BASE, both, both)).toEqual({ text: both, conflicts: 0 });
  });
});

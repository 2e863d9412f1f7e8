/**
 * Line diffs for the review step and the three-way re-apply of a conflict.
 *
 * Review: the branch head against the user's text, as hunks with a few lines
 * of context. Conflict: the user's edit (base -> yours) is re-applied on the
 * new head (base -> theirs) with a diff3 merge; where both changed the same
 * lines the result keeps both, between conflict markers, for the user to
 * resolve in the text view (a file with markers does not parse, so it cannot
 * be committed by accident).
 *
 * Host-agnostic: no JupyterLab imports.
 */
import { diff3Merge, diffComm } from 'node-diff3';

export interface IDiffLine {
  kind: 'same' | 'add' | 'del';
  text: string;
  /** 1-based line in the old text (same, del). */
  oldLine?: number;
  /** 1-based line in the new text (same, add). */
  newLine?: number;
}

export interface IHunk {
  lines: IDiffLine[];
  /** Unchanged lines skipped before this hunk. */
  skipped: number;
}

function lines(text: string): string[] {
  const out = text.split('\n');
  if (out.length && out[out.length - 1] === '') {
    out.pop();
  }
  return out;
}

/** Every line of `after` against `before`. */
export function lineDiff(before: string, after: string): IDiffLine[] {
  const out: IDiffLine[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const part of diffComm(lines(before), lines(after))) {
    if ('common' in part && part.common) {
      for (const text of part.common) {
        out.push({
          kind: 'same',
          text,
          oldLine: oldLine++,
          newLine: newLine++
        });
      }
    } else {
      const p = part as { buffer1?: string[]; buffer2?: string[] };
      for (const text of p.buffer1 ?? []) {
        out.push({ kind: 'del', text, oldLine: oldLine++ });
      }
      for (const text of p.buffer2 ?? []) {
        out.push({ kind: 'add', text, newLine: newLine++ });
      }
    }
  }
  return out;
}

/** The changed lines with `context` unchanged lines around them. */
export function hunks(diff: IDiffLine[], context = 3): IHunk[] {
  const keep = diff.map(() => false);
  diff.forEach((line, i) => {
    if (line.kind !== 'same') {
      for (
        let j = Math.max(0, i - context);
        j <= Math.min(diff.length - 1, i + context);
        j++
      ) {
        keep[j] = true;
      }
    }
  });
  const out: IHunk[] = [];
  let skipped = 0;
  let current: IHunk | null = null;
  diff.forEach((line, i) => {
    if (!keep[i]) {
      skipped++;
      current = null;
      return;
    }
    if (!current) {
      current = { lines: [], skipped };
      out.push(current);
      skipped = 0;
    }
    current.lines.push(line);
  });
  return out;
}

/** How many lines differ (added plus removed). */
export function changeCount(diff: IDiffLine[]): {
  added: number;
  removed: number;
} {
  return {
    added: diff.filter(l => l.kind === 'add').length,
    removed: diff.filter(l => l.kind === 'del').length
  };
}

export interface IReapplied {
  text: string;
  /** Places where both sides changed the same lines (marked in `text`). */
  conflicts: number;
}

export const CONFLICT_MARKERS = {
  theirs: '<<<<<<< theirs: the branch head',
  separator: '=======',
  yours: '>>>>>>> yours: your edit'
};

/** The user's edit (base -> yours) re-applied on `theirs`. */
export function reapply(
  base: string,
  theirs: string,
  yours: string
): IReapplied {
  const regions = diff3Merge(lines(theirs), lines(base), lines(yours), {
    excludeFalseConflicts: true
  });
  const out: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if ('ok' in region && region.ok) {
      out.push(...region.ok);
    } else if ('conflict' in region && region.conflict) {
      conflicts++;
      out.push(
        CONFLICT_MARKERS.theirs,
        ...region.conflict.a,
        CONFLICT_MARKERS.separator,
        ...region.conflict.b,
        CONFLICT_MARKERS.yours
      );
    }
  }
  const trailing = yours.endsWith('\n') || theirs.endsWith('\n') ? '\n' : '';
  return { text: out.join('\n') + (out.length ? trailing : ''), conflicts };
}

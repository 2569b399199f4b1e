/**
 * --fix: apply the safe fixes findings carry, re-lint, and repeat until nothing fixable is left
 * (at most 10 passes). Edits of one finding are applied together or not at all; a finding whose
 * edits overlap another's waits for the next pass. Pure: returns the new texts.
 */
import type { ConfigTree, LimitsDocument, TreeFile } from '../model.js';
import { parseBinary } from '../parse.js';
import { applyEdits, type TextEdit } from '../text-edit.js';
import { lintTarget } from './engine.js';
import type { Diagnostic, LintConfig, LintResult, LintTarget } from './types.js';

export interface FileChange {
  /** display path */
  readonly file: string;
  /** binary strings */
  readonly before: string;
  readonly after: string;
  /** how many findings' fixes were applied to it */
  readonly fixes: number;
}

export interface FixOutcome {
  /** the target with the fixed files */
  readonly target: LintTarget;
  /** the lint result after fixing */
  readonly result: LintResult;
  readonly changes: readonly FileChange[];
}

const MAX_PASSES = 10;

/**
 * The byte ranges already taken in a file. A range [s, e) conflicts with a taken [ts, te) when
 * they overlap (s < te and ts < e) or start at the same offset. Kept sorted by start, so a check
 * is a binary search instead of a scan of every range taken so far (quadratic for a file with
 * a hundred thousand fixes); when ranges that conflict with each other are added (one finding's
 * own edits), it falls back to the scan.
 */
class TakenSpans {
  #starts: number[] = [];
  #ends: number[] = [];
  /** ranges that broke the sorted, pairwise non-conflicting order: checked one by one */
  #loose: Array<[number, number]> | null = null;

  /** index of the first range starting at or after s */
  #lowerBound(s: number): number {
    let lo = 0;
    let hi = this.#starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#starts[mid]! < s) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  conflicts(s: number, e: number): boolean {
    if (this.#loose) return this.#loose.some(([ts, te]) => (s < te && ts < e) || s === ts);
    // the taken ranges do not conflict with each other, so their ends rise with their starts:
    // only the last range starting before s and the first starting at or after s can conflict
    const i = this.#lowerBound(s);
    if (i < this.#starts.length) {
      const ts = this.#starts[i]!;
      if (ts === s || ts < e) return true;
    }
    return i > 0 && s < this.#ends[i - 1]!;
  }

  add(s: number, e: number): void {
    if (this.#loose) { this.#loose.push([s, e]); return; }
    if (this.conflicts(s, e)) {
      this.#loose = this.#starts.map((ts, k): [number, number] => [ts, this.#ends[k]!]);
      this.#loose.push([s, e]);
      return;
    }
    const n = this.#starts.length;
    if (n === 0 || this.#starts[n - 1]! < s) {
      this.#starts.push(s);
      this.#ends.push(e);
    } else {
      const i = this.#lowerBound(s);
      this.#starts.splice(i, 0, s);
      this.#ends.splice(i, 0, e);
    }
  }
}

/** Pick the findings whose edits can be applied together (no overlaps), in file order. */
export function selectFixes(diagnostics: readonly Diagnostic[]): Map<string, TextEdit[][]> {
  const byFile = new Map<string, Diagnostic[]>();
  for (const d of diagnostics) {
    if (!d.fix || d.fix.length === 0) continue;
    const list = byFile.get(d.file);
    if (list) list.push(d); else byFile.set(d.file, [d]);
  }
  const out = new Map<string, TextEdit[][]>();
  for (const [file, ds] of byFile) {
    const taken = new TakenSpans();
    const groups: TextEdit[][] = [];
    for (const d of ds) {
      const spans = d.fix!.map((e): [number, number] => [e.offset, e.offset + e.length]);
      // overlapping ranges, or two edits starting at the same offset, conflict
      if (spans.some(([s, e]) => taken.conflicts(s, e))) continue;
      for (const [s, e] of spans) taken.add(s, e);
      groups.push([...d.fix!]);
    }
    out.set(file, groups);
  }
  return out;
}

function withDoc(tree: ConfigTree, path: string, doc: LimitsDocument): ConfigTree {
  return { ...tree, files: tree.files.map((f): TreeFile => (f.path === path ? { ...f, doc } : f)) };
}

/** Lint, apply safe fixes, and lint again until no fixable finding is left. */
export function fixTarget(target: LintTarget, config: LintConfig = {}): FixOutcome {
  const original = new Map<string, string>();
  const counts = new Map<string, number>();
  let current = target;
  let result = lintTarget(current, config);
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const picked = selectFixes(result.diagnostics);
    if (picked.size === 0) break;
    let tree = current.tree;
    for (const [file, groups] of picked) {
      const tf = tree.files.find((f) => f.path === file);
      if (!tf?.doc) continue;
      if (!original.has(file)) original.set(file, tf.doc.text);
      const text = applyEdits(tf.doc.text, groups.flat());
      counts.set(file, (counts.get(file) ?? 0) + groups.length);
      tree = withDoc(tree, file, parseBinary(text, { file: tf.doc.file, profile: tf.doc.profile }));
    }
    current = { ...current, tree };
    result = lintTarget(current, config);
  }
  const changes: FileChange[] = [];
  for (const [file, before] of original) {
    const after = current.tree.files.find((f) => f.path === file)?.doc?.text ?? before;
    if (after !== before) changes.push({ file, before, after, fixes: counts.get(file) ?? 0 });
  }
  return { target: current, result, changes };
}

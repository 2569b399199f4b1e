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
    const taken: Array<[number, number]> = [];
    const groups: TextEdit[][] = [];
    for (const d of ds) {
      const spans = d.fix!.map((e): [number, number] => [e.offset, e.offset + e.length]);
      // overlapping ranges, or two edits starting at the same offset, conflict
      const overlaps = spans.some(([s, e]) => taken.some(([ts, te]) => (s < te && ts < e) || s === ts));
      if (overlaps) continue;
      taken.push(...spans);
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
      tree = withDoc(tree, file, parseBinary(text, { file: tf.doc.file, dialect: tf.doc.dialect }));
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

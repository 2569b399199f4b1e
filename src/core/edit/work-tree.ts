/**
 * The working tree: file texts that change as requests are planned one after another, re-read
 * after each edit, and the tree pam_limits would read from them (a created file goes where
 * pam_limits reads it).
 *
 * Pure.
 */
import type { ConfigTree, LimitsDocument, TreeFile } from '../model.js';
import { type Profile, MAIN_FILE } from '../schema.js';
import { applyEdits, type TextEdit } from '../text-edit.js';
import { documentBytes, FileLines, lazyDocument, linesOf } from './lines.js';

export interface WorkFile {
  /** path relative to the root, as pam_limits names it (a symlink is written through) */
  readonly path: string;
  /** text when planning started; null for a file the plan creates */
  readonly original: string | null;
  /** the bytes `original` was loaded from, when the loaded document kept them (lines.ts documentBytes) */
  readonly originalBytes?: Uint8Array;
  text: string;
  /** the current text's lines, read where the plan looks (lines.ts) */
  lines: FileLines;
  /** the current text as a document (indexed and read on first use) */
  doc: LimitsDocument;
  /**
   * Lengths of the start and of the end of `text` no edit has touched: lower bounds of the common
   * prefix and suffix of `original` and `text` (the plan's diff searches from there).
   */
  untouched: { head: number; tail: number };
}

export class WorkTree {
  readonly files: WorkFile[];
  constructor(readonly base: ConfigTree, readonly profile: Profile) {
    this.files = base.files.filter((f) => f.status === 'ok' && f.doc).map((f) => {
      const bytes = documentBytes(f.doc!);
      return {
        path: f.path, original: f.doc!.text, text: f.doc!.text, lines: linesOf(f.doc!, profile), doc: f.doc!,
        untouched: { head: f.doc!.text.length, tail: f.doc!.text.length }, ...(bytes !== undefined ? { originalBytes: bytes } : {}),
      };
    });
  }

  file(path: string): WorkFile | undefined {
    return this.files.find((f) => f.path === path);
  }

  /** Apply edits to one file; its lines are read again where next looked at. */
  apply(file: WorkFile, edits: TextEdit[]): void {
    if (edits.length === 0) return;
    const was = file.text.length;
    for (const e of edits) {
      file.untouched.head = Math.min(file.untouched.head, e.offset);
      file.untouched.tail = Math.min(file.untouched.tail, was - e.offset - e.length);
    }
    file.text = applyEdits(file.text, edits);
    file.lines = file.lines.edited(file.text, edits);
    file.doc = lazyDocument(file.path, this.profile, file.text);
    linesOf(file.doc, this.profile, file.lines);
  }

  /** Create a new (empty) file in reading order. */
  create(path: string): WorkFile {
    const f: WorkFile = { path, original: null, text: '', lines: new FileLines('', this.profile), doc: lazyDocument(path, this.profile, ''), untouched: { head: 0, tail: 0 } };
    this.files.push(f);
    return f;
  }

  /** The tree as pam_limits would read it now. */
  tree(): ConfigTree {
    const byPath = new Map(this.files.map((f) => [f.path, f]));
    const files: TreeFile[] = this.base.files.map((f) => {
      const w = byPath.get(f.path);
      if (!w) return f;
      byPath.delete(f.path);
      if (f.status === 'ok') return { ...f, doc: w.doc };
      // a missing file the plan creates: pam_limits will now read it
      return { path: f.path, role: f.role, status: 'ok', doc: w.doc };
    });
    for (const w of byPath.values()) {
      // a newly created file: it replaces a missing one, or goes where pam_limits would read it
      const tf: TreeFile = { path: w.path, role: w.path === MAIN_FILE ? 'main' : 'dropin', status: 'ok', doc: w.doc };
      const same = files.findIndex((f) => f.path === w.path);
      if (same >= 0) { files[same] = tf; continue; }
      if (w.path === MAIN_FILE) {
        // a vendor limits.conf is read only while MAIN_FILE is missing: the new file replaces it
        const i = files.findIndex((f) => f.path === MAIN_FILE || f.role === 'vendor-main');
        if (i >= 0) files[i] = tf; else files.unshift(tf);
      } else {
        const name = w.path.slice(w.path.lastIndexOf('/') + 1);
        let i = files.findIndex((f) => f.role !== 'main' && Buffer.compare(Buffer.from(f.path.slice(f.path.lastIndexOf('/') + 1)), Buffer.from(name)) > 0);
        if (i < 0) i = files.length;
        files.splice(i, 0, tf);
      }
    }
    const fatal = files.find((f) => f.fatal);
    return { profile: this.base.profile, files, ignored: this.base.ignored, failure: fatal ? { file: fatal.path, reason: fatal.fatal! } : null };
  }
}

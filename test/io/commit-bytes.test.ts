/**
 * An edit's files kept as bytes next to their text: loadTree's keepBytes (src/io/tree.ts) gives
 * documents whose text is made from the bytes on first read (core/edit/lines.ts lazyDocument /
 * documentBytes), a plan from such a tree carries the bytes on its changes (not enumerable), and
 * the edit transaction builds the new content from them and the change's one edit
 * (src/io/commit.ts changeBytes) — byte for byte what converting `after` gives.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planEdits } from '../../src/core/edit.js';
import { documentBytes, lazyDocument } from '../../src/core/edit/lines.js';
import { applyEdits } from '../../src/core/text-edit.js';
import { changeBytes } from '../../src/io/commit.js';
import { SplicedBytes } from '../../src/io/write.js';

/** A change's bytes as one buffer. */
const joined = (d: Buffer | SplicedBytes): Buffer => (d instanceof SplicedBytes ? d.join() : d);
import { loadTree } from '../../src/io/tree.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(conf: Buffer): string {
  const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-bytes-'));
  dirs.push(root);
  mkdirSync(path.join(root, 'etc/security/limits.d'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), conf);
  writeFileSync(path.join(root, 'etc/security/limits.d/50-x.conf'), '@ops hard nproc 10\n');
  return root;
}

// a limits.conf with bytes that are not UTF-8, CRLF and a line without a newline at the end
const CONF = Buffer.concat([Buffer.from('# caf\xe9 \xff\r\n* soft nofile 1024\r\nalice hard nproc 5\n', 'latin1'), Buffer.from('bob - core 0', 'latin1')]);

describe('loadTree keepBytes', () => {
  it('keeps each file\'s bytes and makes its text from them on first read only', () => {
    const root = tree(CONF);
    const kept = loadTree(root, { profile: 'linux-pam-1.5.2', keepBytes: true });
    const plain = loadTree(root, { profile: 'linux-pam-1.5.2' });
    expect(kept.files.map((f) => f.path)).toEqual(plain.files.map((f) => f.path));
    const doc = kept.files[0]!.doc!;
    expect(Buffer.from(documentBytes(doc)!).equals(CONF)).toBe(true);
    expect(Object.getOwnPropertyDescriptor(doc, 'text')!.get).toBeDefined(); // not made yet
    expect(doc.text).toBe(CONF.toString('latin1'));
    expect(Object.getOwnPropertyDescriptor(doc, 'text')!.value).toBe(doc.text); // made once
    expect(Object.keys(doc)).toEqual(Object.keys(plain.files[0]!.doc!));
    expect(doc.lines.map((l) => l.readings.map((r) => r.kind))).toEqual(plain.files[0]!.doc!.lines.map((l) => l.readings.map((r) => r.kind)));
    expect(documentBytes(kept.files[1]!.doc!)).toBeDefined(); // a drop-in read through the directory
    expect(documentBytes(plain.files[0]!.doc!)).toBeUndefined(); // off by default (lint holds texts only)
  });

  it('a plan from such a tree carries the bytes on its change, unseen by JSON and keys', () => {
    const root = tree(CONF);
    const t = loadTree(root, { profile: 'linux-pam-1.5.2', keepBytes: true });
    const plan = planEdits(t, [{ op: 'set', domain: 'alice', type: 'hard', item: 'nproc', value: '50' }], {});
    expect(plan.changes).toHaveLength(1);
    const ch = plan.changes[0]!;
    expect(Buffer.from(ch.beforeBytes!).equals(CONF)).toBe(true);
    expect(Object.keys(ch)).toEqual(['path', 'before', 'after', 'edits']);
    expect(JSON.stringify(ch)).not.toContain('beforeBytes');
    const { data, expected } = changeBytes(ch);
    expect(expected!.equals(CONF)).toBe(true);
    expect(joined(data).equals(Buffer.from(ch.after, 'latin1'))).toBe(true);
    expect(joined(data).toString('latin1')).toContain('alice hard nproc 50\n');
  });
});

describe('changeBytes', () => {
  const before = 'a\xe9b\r\nline two\nthree\xff';
  const cases = [
    { offset: 0, length: 0, content: 'new\n' },
    { offset: 3, length: 2, content: '\n' },
    { offset: before.length, length: 0, content: '\nend\xfe' },
    { offset: 5, length: before.length - 5, content: '' },
    { offset: 0, length: before.length, content: 'all \x80 new' },
    { offset: 6, length: 4, content: 'LINE' },
  ];
  for (const e of cases) {
    it(`builds after from the bytes of before and one edit (${JSON.stringify(e)})`, () => {
      const after = applyEdits(before, [e]);
      const r = changeBytes({ path: 'x', before, after, beforeBytes: Buffer.from(before, 'latin1'), edits: [e] });
      // the old bytes around the edit, not a copy of the whole file
      expect(r.data).toBeInstanceOf(SplicedBytes);
      expect((r.data as SplicedBytes).parts[0]!.buffer).toBe(r.expected!.buffer);
      expect(joined(r.data).equals(Buffer.from(after, 'latin1'))).toBe(true);
      expect(r.expected!.equals(Buffer.from(before, 'latin1'))).toBe(true);
    });
  }

  it('converts the texts when the bytes or the edit do not fit them', () => {
    const after = 'a\xe9X';
    const want = Buffer.from(after, 'latin1');
    // bytes of another length than before: not used at all
    let r = changeBytes({ path: 'x', before, after, beforeBytes: Buffer.from('short'), edits: [{ offset: 0, length: 1, content: 'Y' }] });
    expect(joined(r.data).equals(want)).toBe(true);
    expect(r.expected!.equals(Buffer.from(before, 'latin1'))).toBe(true);
    // an edit that does not give after's length, out of range, or several edits: after converted
    for (const edits of [[{ offset: 0, length: 1, content: 'Y' }], [{ offset: 2, length: before.length, content: 'X' }], [{ offset: 2, length: 0, content: '' }, { offset: 3, length: 0, content: '' }], []]) {
      r = changeBytes({ path: 'x', before, after, beforeBytes: Buffer.from(before, 'latin1'), edits });
      expect(joined(r.data).equals(want)).toBe(true);
    }
    // no bytes: both converted; a new file: nothing expected
    expect(joined(changeBytes({ path: 'x', before, after }).data).equals(want)).toBe(true);
    expect(changeBytes({ path: 'x', before: null, after }).expected).toBeNull();
  });

  it('a document made from a string keeps no bytes', () => {
    expect(documentBytes(lazyDocument('f', 'linux-pam-1.5.2', 'x\n'))).toBeUndefined();
    const d = lazyDocument('f', 'linux-pam-1.5.2', Buffer.from('x\xe9\n', 'latin1'));
    expect(d.text).toBe('x\xe9\n');
    expect(d.lines).toHaveLength(1);
  });
});

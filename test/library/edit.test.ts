/**
 * Edited text is bytes at the library's boundary: planEdits gives `before`/`after` as Buffers, so
 * the obvious `writeFileSync(file, change.after)` writes what was planned — a UTF-8 comment and a
 * latin1 account name included (with the binary strings of limitsctl 0.1 it wrote the UTF-8 of
 * each byte: `Zoë` became `ZoÃ«`). applyPlan writes a plan with the CLI's transaction (lock,
 * compare-and-swap, atomic rename). In process, against src/index.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, binaryToDisplay, commitEdits, LimitsError, loadTree, planEdits, treeFromFiles } from '../../src/index.js';
import { MAX_LIMITS_FILE_BYTES } from '../../src/io/read.js';

const scratch: string[] = [];
afterAll(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });
const CONF = 'etc/security/limits.conf';
const ORIGINAL = Buffer.concat([Buffer.from('# Zoë — café\n', 'utf8'), Buffer.from('jos\xe9 soft nofile 10\n', 'latin1'), Buffer.from([0xff, 0x0a])]);

function tree(content: Buffer = ORIGINAL): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-lib-edit-'));
  scratch.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, CONF), content);
  return root;
}
const request = [{ op: 'set', domain: 'admin', item: 'nproc', value: '64' }] as const;

describe('planEdits gives bytes', () => {
  it('before and after are Buffers; writing after round-trips every byte of the untouched lines', () => {
    const root = tree();
    const change = planEdits(loadTree(root, { profile: 'debian' }), [...request]).changes[0]!;
    expect(Buffer.isBuffer(change.after)).toBe(true);
    expect(change.before).toEqual(ORIGINAL);
    const copy = path.join(root, 'copy.conf');
    writeFileSync(copy, change.after);
    const bytes = readFileSync(copy);
    expect(bytes).toEqual(change.after);
    expect(bytes.subarray(0, ORIGINAL.length)).toEqual(ORIGINAL);
    expect(bytes.subarray(ORIGINAL.length).toString('latin1')).toMatch(/^admin\s+-\s+nproc\s+64\n$/);
  });

  it('a new file: before is null', () => {
    const t = treeFromFiles({ [CONF]: Buffer.from('') });
    const plan = planEdits(t, [...request], { file: 'etc/security/limits.d/50-admin.conf' });
    expect(plan.changes.map((c) => [c.path, c.before])).toEqual([['etc/security/limits.d/50-admin.conf', null]]);
    expect(plan.changes[0]!.after.toString()).toMatch(/^admin\s+-\s+nproc\s+64\n$/);
  });

  it('requests are text: josé is written as its UTF-8 bytes', () => {
    const plan = planEdits(treeFromFiles({ [CONF]: Buffer.from('') }), [{ op: 'set', domain: 'josé', item: 'nproc', value: '5' }]);
    expect(plan.changes[0]!.after.includes(Buffer.from('josé ', 'utf8'))).toBe(true);
    expect(plan.changes[0]!.after.includes(Buffer.from('jos\xe9 ', 'latin1'))).toBe(false);
  });
});

describe('applyPlan writes a plan safely', () => {
  it('a plan object: written byte for byte; a stale plan is refused with nothing written', async () => {
    const root = tree();
    const plan = planEdits(loadTree(root, { profile: 'debian' }), [...request]);
    const done = await applyPlan(root, plan);
    expect(done.written.map((w) => [w.path, w.changed, w.created])).toEqual([[CONF, true, false]]);
    expect(readFileSync(path.join(root, CONF))).toEqual(plan.changes[0]!.after);
    // the same plan again: its `before` is gone; compare-and-swap refuses, the file stays
    await expect(applyPlan(root, plan)).rejects.toMatchObject({ name: 'ConcurrentModificationError', code: 'ECONFLICT' });
    expect(readFileSync(path.join(root, CONF))).toEqual(plan.changes[0]!.after);
  });

  it('a plan function: planned again under the lock, idempotent', async () => {
    const root = tree();
    const make = () => planEdits(loadTree(root, { profile: 'debian' }), [...request]);
    const first = await applyPlan(root, make);
    expect(first.written).toHaveLength(1);
    const second = await applyPlan(root, make);
    expect([second.plan.changes.length, second.attempts, second.written.length]).toEqual([0, 0, 0]);
  });

  it('dryRun writes nothing, not even the lock file', async () => {
    const root = tree();
    const r = await applyPlan(root, planEdits(loadTree(root, { profile: 'debian' }), [...request]), { dryRun: true });
    expect(r.written).toEqual([]);
    expect(readFileSync(path.join(root, CONF))).toEqual(ORIGINAL);
    expect(readdirSync(path.join(root, 'etc/security'))).toEqual(['limits.conf']);
  });
});

describe('a change above the 16 MiB read cap', () => {
  // a file of exactly 16 MiB (valid: comment lines) that loadTree reads; the set adds a line
  const atCap = () => {
    const line = Buffer.from(`# ${'x'.repeat(77)}\n`);
    const big = Buffer.alloc(MAX_LIMITS_FILE_BYTES, line);
    big[big.length - 1] = 0x0a;
    return big;
  };

  it('applyPlan and commitEdits refuse it with ETOOLARGE (dry runs too), nothing written, no lock file', async () => {
    const big = atCap();
    const root = tree(big);
    const sec = path.join(root, 'etc/security');
    const stamp = () => [readdirSync(sec).join('/'), statSync(sec, { bigint: true }).mtimeNs, statSync(path.join(root, CONF), { bigint: true }).mtimeNs, statSync(path.join(root, CONF)).mode];
    const before = stamp();
    const plan = planEdits(loadTree(root, { profile: 'debian' }), [...request]);
    const size = plan.changes[0]!.after.length;
    expect(size).toBeGreaterThan(MAX_LIMITS_FILE_BYTES);
    // (a plan function is planned once before the lock: the refusal comes before any re-plan)
    const calls = [() => applyPlan(root, plan), () => applyPlan(root, plan, { dryRun: true }), () => commitEdits(root, () => plan, { backup: true })];
    for (const call of calls) {
      const err = await call().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(LimitsError);
      expect(err).toMatchObject({ code: 'ETOOLARGE', kind: 'io', path: path.join(root, CONF) });
      expect((err as Error).message).toBe(
        `refusing to write ${path.join(root, CONF)}: its new content would be ${size} bytes, above limitsctl's 16777216-byte cap (16 MiB) for this file, ` +
          'so no later limitsctl run could read it; nothing was written',
      );
      expect(stamp()).toEqual(before);
      expect(readFileSync(path.join(root, CONF)).equals(big)).toBe(true);
    }
  });
});

describe('what the Ansible module (ansible/library/limitsctl) does with the library', () => {
  it('commitEdits with a planEdits function, check sees the Buffer plan, binaryToDisplay shows Buffers', async () => {
    const root = tree();
    const seen: Buffer[] = [];
    const r = await commitEdits(root, () => planEdits(loadTree(root, { profile: 'debian' }), [...request]), { check: (p) => { seen.push(p.changes[0]!.after); } });
    expect(seen.length).toBeGreaterThanOrEqual(2); // before the lock, and again under it
    expect(Buffer.isBuffer(r.plan.changes[0]!.after)).toBe(true);
    expect(binaryToDisplay(r.plan.changes[0]!.before!)).toBe('# Zoë — café\njos\\xe9 soft nofile 10\n\\xff\n');
  });

  it('a plan of strings (limitsctl 0.1 read them as one char per byte) is refused, nothing written', async () => {
    const root = tree(Buffer.from('x\n'));
    // (not in the types: JavaScript callers of 0.1 passed them; 'café' was written as latin1)
    await expect(commitEdits(root, () => ({ changes: [{ path: CONF, before: 'x\n', after: 'caf\xe9\n' }] }) as never)).rejects.toMatchObject({ code: 'EARGUMENT' });
    expect(readFileSync(path.join(root, CONF))).toEqual(Buffer.from('x\n'));
  });
});

/**
 * Bytes are bytes (issue 10): text typed by a person is UTF-8 encoded once before it meets the
 * model or the accounts; bytes are shown decoded, with invalid UTF-8 and control characters
 * escaped; control characters are never written; an edited line keeps its extra fields; unset
 * sees what 1.5.2 reads from the tail of an over-long line.
 */
import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd, type AccountDb } from '../../src/core/accounts.js';
import { displayBytes, fromBytes, toBytes } from '../../src/core/bytes.js';
import { type EditRequest, EditInputError, planEdits, type PlanOptions } from '../../src/core/edit.js';
import { binaryToDisplay, type ConfigTree } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { resolveLimits } from '../../src/core/resolve.js';
import type { Profile } from '../../src/core/schema.js';

const MAIN = 'etc/security/limits.conf';
type Files = Record<string, string>;
/** files as binary strings (one char per byte) */
function tree(files: Files, profile: Profile = 'debian-12'): ConfigTree {
  return {
    profile, ignored: [], failure: null,
    files: Object.keys(files).map((p) => ({ path: p, role: p === MAIN ? 'main' : 'dropin', status: 'ok', doc: parseLimits(Buffer.from(files[p]!, 'latin1'), { profile, file: p }) })),
  };
}
const utf8 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');
/** etc/passwd with josé as UTF-8 bytes, read as the io ring reads it (latin1) */
const accounts: AccountDb = {
  users: parsePasswd(utf8('admin:x:1000:1000::/h:/bin/sh\njosé:x:1001:1001::/h:/bin/sh\n')),
  groups: parseGroup(utf8('admin:x:1000:\njosé:x:1001:\n日本:x:2000:josé\n')),
};
const plan = (files: Files, reqs: EditRequest[], opts: PlanOptions = {}, profile: Profile = 'debian-12') => planEdits(tree(files, profile), reqs, { accounts, ...opts });
const apply = (files: Files, reqs: EditRequest[], profile: Profile = 'debian-12'): Files => {
  const out = { ...files };
  for (const c of plan(files, reqs, {}, profile).changes) out[c.path] = c.after;
  return out;
};
const set = (domain: string, item: string, value: string, extra: Partial<EditRequest> = {}): EditRequest =>
  ({ op: 'set', domain, item, value, type: 'both', ...extra } as EditRequest);
const hex = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('text ↔ bytes', () => {
  it('toBytes is UTF-8; fromBytes is its lossless inverse, even for bytes that are not UTF-8', () => {
    expect(hex(toBytes('josé'))).toBe('6a6f73c3a9');
    expect(hex(toBytes('日本'))).toBe('e697a5e69cac');
    expect(hex(toBytes('a😀'))).toBe('61f09f9880');
    for (const b of ['jos\xe9', '\xff\xfe', 'ok', utf8('日本'), '\xc3', '\xed\xa0\x80', '\xf4\x90\x80\x80', '\xc0\xaf']) {
      expect(toBytes(fromBytes(b))).toBe(b);
    }
    expect(fromBytes(utf8('josé'))).toBe('josé');
  });

  it('display decodes UTF-8 and escapes invalid bytes and control characters, never U+FFFD', () => {
    expect(displayBytes(utf8('josé'))).toBe('josé');
    expect(displayBytes('jos\xe9')).toBe('jos\\xe9');
    expect(displayBytes('a\x1b[31mb')).toBe('a\\x1b[31mb');
    expect(binaryToDisplay('x\ty\nz\x1b')).toBe('x\ty\nz\\x1b');
    expect(binaryToDisplay('jos\xe9')).not.toContain('\ufffd');
  });
});

describe('names from the command line are written as UTF-8 bytes', () => {
  it("set --user josé writes 6A 6F 73 C3 A9, pam's josé gets it, a second run is unchanged", () => {
    const files = apply({ [MAIN]: '' }, [set('josé', 'nproc', '77')]);
    expect(files[MAIN]).toContain(utf8('josé'));
    expect(files[MAIN]).not.toContain('jos\xe9\t');
    const t = tree(files);
    const id = { name: utf8('josé'), uid: 1001, gid: 1001, groups: [] };
    expect(resolveLimits(t, id, { pid1Limits: null }).rlimits.nproc.applied?.soft).toBe(77n);
    expect(plan(files, [set('josé', 'nproc', '77')]).changes).toEqual([]);
  });

  it('--domain @日本 writes E6 97 A5 E6 9C AC, not E5 2C; comments are UTF-8 too', () => {
    const files = apply({ [MAIN]: '' }, [set('@日本', 'nofile', '100', { comment: 'café' })]);
    expect(hex(files[MAIN]!)).toContain(hex(utf8('@日本')));
    expect(files[MAIN]).toContain(utf8('# café'));
    expect(plan(files, [set('@日本', 'nofile', '100', { comment: 'café' })]).changes).toEqual([]);
  });

  it('an unset of josé finds the UTF-8 line', () => {
    const files = { [MAIN]: utf8('josé - nproc 5\n') };
    expect(plan(files, [{ op: 'unset', domain: 'josé', item: 'nproc' }]).changes[0]?.after).toBe('');
  });

  it('the notes give back the caller\'s own request and show names as text', () => {
    const p = plan({ [MAIN]: '' }, [set('josé', 'nproc', '77')]);
    expect(p.notes[0]!.request.domain).toBe('josé');
    expect(p.notes[0]!.detail).toContain('josé - nproc 77');
    expect(p.warnings).toEqual([]); // josé is in etc/passwd
  });
});

describe('control characters are refused, never written', () => {
  const refused = (req: EditRequest) => {
    expect(() => plan({ [MAIN]: '' }, [req])).toThrow(EditInputError);
    try { plan({ [MAIN]: '' }, [req]); } catch (e) { return (e as Error).message; }
    return '';
  };
  it.each([
    ['ESC in a domain', set('ad\x1bmin', 'nproc', '5')],
    ['DEL in a domain', set('admin\x7f', 'nproc', '5')],
    ['a C1 control in a domain', set('admin\u009b', 'nproc', '5')],
    ['a newline in a domain', set('admin\n* - nproc 1', 'nproc', '5')],
    ['ESC in a comment', set('admin', 'nproc', '5', { comment: 'x\x1b]0;pwned\x07' })],
    ['a newline in a comment', set('admin', 'nproc', '5', { comment: 'a\n* - nproc 1' })],
    ['a CR in a comment', set('admin', 'nproc', '5', { comment: 'a\rb' })],
    ['a control character in a value', set('admin', 'nproc', '5\x1b')],
    ['ESC in an unset domain', { op: 'unset', domain: 'ad\x1bmin', item: 'nproc' } as EditRequest],
  ])('%s', (_, req) => {
    const msg = refused(req);
    expect(msg).toMatch(/ESC|DEL|newline|carriage return|control character/);
    expect(msg).not.toMatch(/[\x00-\x1f\x7f]/); // the message itself is safe to print
  });

  it('a tab inside a comment is fine', () => {
    expect(apply({ [MAIN]: '' }, [set('admin', 'nproc', '5', { comment: 'a\tb' })])[MAIN]).toContain('# a\tb');
  });
});

describe('`-` is a value', () => {
  it('set nofile - writes `-` (unlimited), and is then unchanged', () => {
    const files = apply({ [MAIN]: '' }, [set('admin', 'nofile', '-')]);
    expect(files[MAIN]).toMatch(/^admin\s+-\s+nofile\s+-\n$/);
    expect(plan(files, [set('admin', 'nofile', 'unlimited')]).changes).toEqual([]);
  });
});

describe('an edited line keeps its extra fields', () => {
  it('`admin - nproc 5 legacy-note # c` → only the value token changes', () => {
    expect(apply({ [MAIN]: 'admin - nproc 5 legacy-note # c\n' }, [set('admin', 'nproc', '6')])[MAIN]).toBe('admin - nproc 6 legacy-note # c\n');
  });

  it('the same under 1.7, where the value field is the rest of the line, and with CRLF', () => {
    expect(apply({ [MAIN]: 'admin - nproc 5 legacy-note # c\r\n' }, [set('admin', 'nproc', '6')], 'linux-pam-1.7.2')[MAIN]).toBe('admin - nproc 6 legacy-note # c\r\n');
    expect(apply({ [MAIN]: 'admin - nproc 5\r\n' }, [set('admin', 'nproc', '60')], 'linux-pam-1.7.2')[MAIN]).toBe('admin - nproc 60\r\n');
  });

  it('the column after the value is kept when spaces pad it', () => {
    expect(apply({ [MAIN]: 'admin - nproc 5    note\n' }, [set('admin', 'nproc', '600')])[MAIN]).toBe('admin - nproc 600  note\n');
  });

  it('when 1.7 would read the extra fields into the value (unlimited junk is rejected), they become a comment', () => {
    const out = apply({ [MAIN]: 'admin - nproc 5 legacy-note # c\n' }, [set('admin', 'nproc', 'unlimited')])[MAIN]!;
    expect(out).toBe('admin - nproc unlimited # legacy-note # c\n');
    const doc = parseLimits(Buffer.from(out, 'latin1'), { profile: 'linux-pam-1.7.2' });
    const r = doc.lines[0]!.readings[0]!;
    expect(r.kind === 'entry' && r.problem === null && r.parsedValue?.keyword).toBe('unlimited');
  });
});

describe('unset sees the entries 1.5.2 reads from the tail of an over-long line', () => {
  it('a comment of 1023 bytes followed by `admin soft nofile 66`: unset neutralises it', () => {
    const long = `#${'x'.repeat(1022)}admin soft nofile 66\n`;
    const files = { [MAIN]: long };
    const before = resolveLimits(tree(files), { name: 'admin', uid: 1000, gid: 1000, groups: [] }, { pid1Limits: null });
    expect(before.rlimits.nofile.soft.value).toBe(66n); // the leak is real in 1.5.2
    expect(before.rlimits.nofile.soft.source).not.toBeNull();
    const p = plan(files, [{ op: 'unset', domain: 'admin', item: 'nofile' }]);
    expect(p.changes).toHaveLength(1);
    const after = p.changes[0]!.after;
    expect(after.length).toBe(long.length); // same length: other chunks read as before
    const res = resolveLimits(tree({ [MAIN]: after }), { name: 'admin', uid: 1000, gid: 1000, groups: [] }, { pid1Limits: null });
    expect(res.rlimits.nofile.soft.source).toBeNull();
    expect(plan({ [MAIN]: after }, [{ op: 'unset', domain: 'admin', item: 'nofile' }]).changes).toEqual([]);
  });

  it("a chunk that must keep one half: the other half gets its own line right after", () => {
    const long = `${' '.repeat(1023)}admin - nofile 66\n* soft core 1\n`;
    const p = plan({ [MAIN]: long }, [{ op: 'unset', domain: 'admin', item: 'nofile', type: 'soft' }]);
    const after = p.changes[0]!.after;
    const res = resolveLimits(tree({ [MAIN]: after }), { name: 'admin', uid: 1000, gid: 1000, groups: [] }, { pid1Limits: null });
    expect(res.rlimits.nofile.soft.source).toBeNull();
    expect(res.rlimits.nofile.hard.value).toBe(66n);
    expect(after.endsWith('* soft core 1\n')).toBe(true);
  });
});

/**
 * Traps a user of the library fell into, each now an error that says what to do instead (or a
 * behaviour that is what the obvious call expects): requests with a misspelt key or mode, text
 * where bytes are meant, dry runs that checked nothing, unbounded echoes of input. In process,
 * against src/index.ts.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { LimitsError } from '../../src/index.js';

const scratch: string[] = [];
afterAll(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });
const CONF = 'etc/security/limits.conf';
function tree(text: string | Buffer = '* soft nofile 10\n'): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-traps-'));
  scratch.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, CONF), text);
  return root;
}
function thrown(f: () => unknown): LimitsError {
  try { f(); } catch (e) { expect(e).toBeInstanceOf(LimitsError); return e as LimitsError; }
  throw new Error('expected an error');
}
async function rejected(f: () => Promise<unknown>): Promise<LimitsError> {
  try { await f(); } catch (e) { expect(e).toBeInstanceOf(LimitsError); return e as LimitsError; }
  throw new Error('expected an error');
}
const t = (): lib.ConfigTree => lib.treeFromFiles({ [CONF]: Buffer.from('* hard nofile 4096\n') });

describe('planEdits: every request field is checked', () => {
  for (const mode of ['atleast', 'AT-LEAST', 42, null]) {
    it(`mode ${JSON.stringify(mode)} is refused (it lowered the limit)`, () => {
      const e = thrown(() => lib.planEdits(t(), [{ op: 'set', domain: '*', item: 'nofile', value: '1024', mode } as never]));
      expect([e.code, e.message]).toEqual(['EARGUMENT', expect.stringMatching(/^planEdits: requests\[0\]\.mode must be 'exact', 'at-least', 'at-most' or left out/)]);
      if (mode === 'atleast') expect(e.message).toContain("did you mean 'at-least'?");
    });
  }
  it('an unknown key is named, with the closest known one (typ: hard wrote both halves)', () => {
    const e = thrown(() => lib.planEdits(t(), [{ op: 'set', domain: '*', item: 'nofile', value: '1024', typ: 'hard' } as never]));
    expect(e.code).toBe('EARGUMENT');
    expect(e.message).toMatch(/^planEdits: requests\[0\] has an unknown key "typ" \(did you mean 'type'\?\)/);
    expect(thrown(() => lib.planEdits(t(), [{ op: 'unset', domain: '*', item: 'nofile', value: '1' } as never])).message).toMatch(/requests\[0\] has an unknown key "value"/);
    expect(thrown(() => lib.planEdits(t(), [], { fille: 'x' } as never)).message).toMatch(/options has an unknown key "fille" \(did you mean 'file'\?\)/);
  });
  it("type is 'soft', 'hard' or 'both'", () => {
    expect(thrown(() => lib.planEdits(t(), [{ op: 'unset', domain: '*', item: 'nofile', type: '-' } as never])).message).toMatch(/requests\[0\]\.type must be 'soft', 'hard', 'both'/);
  });
  it("mode 'at-least' keeps the higher value (what the misspelt mode meant)", () => {
    expect(lib.planEdits(t(), [{ op: 'set', domain: '*', item: 'nofile', value: '1024', type: 'hard', mode: 'at-least' }]).changes).toEqual([]);
  });
});

describe('applyPlan/commitEdits: contents are bytes, a string is refused with what to pass', () => {
  for (const [field, value] of [['after', '# Zoë café\n'], ['before', '* soft nofile 10\n']] as const) {
    it(`a string ${field}`, async () => {
      const root = tree();
      const before = readFileSync(path.join(root, CONF));
      const change = { path: CONF, before, after: Buffer.from('x\n'), [field]: value };
      const e = await rejected(() => lib.applyPlan(root, { changes: [change] } as never));
      expect([e.code, e.message]).toEqual(['EARGUMENT', `applyPlan: the plan.changes[0].${field} must be bytes (a Buffer or Uint8Array), got a string; for text, give Buffer.from(text, 'utf8')`]);
      const e2 = await rejected(() => lib.commitEdits(root, () => ({ changes: [change] }) as never));
      expect(e2.code).toBe('EARGUMENT');
      expect(readFileSync(path.join(root, CONF))).toEqual(before);
      expect(readdirSync(path.join(root, 'etc/security'))).toEqual(['limits.conf']);
    });
  }
});

describe('dryRun fails exactly as the real run would, writing nothing', () => {
  const after = Buffer.from('* soft nofile 20\n');
  const cases: Array<[string, (root: string) => { root: string; changes: lib.CommitChange[] }, string]> = [
    ['a missing root', (r) => ({ root: path.join(r, 'nope'), changes: [{ path: CONF, before: null, after }] }), 'EBADROOT'],
    ['a root that is a file', (r) => ({ root: path.join(r, CONF), changes: [{ path: CONF, before: null, after }] }), 'EBADROOT'],
    ['a path outside the root (..)', (r) => ({ root: r, changes: [{ path: '../escape.conf', before: null, after }] }), 'EOUTSIDEROOT'],
    ['a path through a symlink leading out', (r) => {
      symlinkSync('../../..', path.join(r, 'etc/security/out'));
      return { root: r, changes: [{ path: 'etc/security/out/x.conf', before: null, after }] };
    }, 'EOUTSIDEROOT'],
    ['a wrong before', (r) => ({ root: r, changes: [{ path: CONF, before: Buffer.from('something else\n'), after }] }), 'ECONFLICT'],
    ['a longer file than before', (r) => ({ root: r, changes: [{ path: CONF, before: Buffer.from('*'), after }] }), 'ECONFLICT'],
    ['before null for a file that exists', (r) => ({ root: r, changes: [{ path: CONF, before: null, after }] }), 'ECONFLICT'],
    ['before given for a file that does not exist', (r) => ({ root: r, changes: [{ path: 'etc/security/limits.d/x.conf', before: Buffer.from('x'), after }] }), 'ECONFLICT'],
  ];
  for (const [what, make, code] of cases) {
    it(what, async () => {
      const outcomes: string[] = [];
      for (const dryRun of [false, true]) {
        const base = tree();
        const { root, changes } = make(base);
        const e = await rejected(() => lib.commitEdits(root, () => ({ changes }), { dryRun }));
        outcomes.push(e.code);
        expect(readFileSync(path.join(base, CONF), 'latin1')).toBe('* soft nofile 10\n');
        expect(readdirSync(path.join(base, 'etc/security')).sort()).toEqual(readdirSync(path.join(base, 'etc/security')).filter((n) => n === 'limits.conf' || n === 'out').sort());
      }
      expect(outcomes).toEqual([code, code]);
    });
  }
  it('a plan that holds passes the dry run', async () => {
    const root = tree();
    const r = await lib.applyPlan(root, lib.planEdits(lib.loadTree(root, { profile: 'debian' }), [{ op: 'set', domain: '*', item: 'nofile', value: '20', type: 'soft' }]), { dryRun: true });
    expect([r.written, r.plan.changes.length]).toEqual([[], 1]);
  });
});

describe('account names are text at the boundary, in and out', () => {
  const utf8Tree = (): lib.ConfigTree => lib.treeFromFiles({ [CONF]: Buffer.from('josé soft nofile 111\n漢字 soft nofile 222\n@équipe hard nofile 333\n', 'utf8') });
  for (const [name, want] of [['josé', 111n], ['漢字', 222n]] as const) {
    it(`a hand-built identity named ${name} matches its UTF-8 line (it matched nothing)`, () => {
      const res = lib.resolveLimits(utf8Tree(), { name, uid: 1000, gid: 1000, groups: [{ name: 'équipe', gid: 1000 }] });
      expect(res.rlimits.nofile.soft.value).toBe(want);
      expect(res.rlimits.nofile.hard.value).toBe(333n);
      expect(res.identity.name).toBe(name);
      expect(lib.effectiveJson(res).user).toBe(name);
      expect(lib.explainItem(res, 'nofile').length).toBeGreaterThan(0);
    });
  }
  it('loadAccountDb, loadIdentity, identityFor, parsePasswd give text; a latin1 name survives the round trip', () => {
    const root = tree(Buffer.concat([Buffer.from('josé soft nofile 111\n', 'utf8'), Buffer.from('l\xe9a soft nofile 444\n', 'latin1')]));
    const passwd = Buffer.concat([Buffer.from('josé:x:1000:1000::/home/josé:/bin/sh\n', 'utf8'), Buffer.from('l\xe9a:x:1001:1001::/h:/bin/sh\n', 'latin1')]);
    writeFileSync(path.join(root, 'etc/passwd'), passwd);
    writeFileSync(path.join(root, 'etc/group'), Buffer.from('équipe:x:1000:josé\n', 'utf8'));
    const db = lib.loadAccountDb(root);
    expect(db.users.map((u) => u.name)).toEqual(['josé', 'l\udce9a']);
    expect(db.users[0]!.home).toBe('/home/josé');
    expect(db.groups).toEqual([{ name: 'équipe', gid: 1000, members: ['josé'] }]);
    expect(lib.parsePasswd(passwd).map((u) => u.name)).toEqual(['josé', 'l\udce9a']);
    const t = lib.loadTree(root, { profile: 'debian' });
    const jose = lib.identityFor(db, 'josé', 1000, 1000);
    expect(jose).toEqual({ name: 'josé', uid: 1000, gid: 1000, groups: [{ name: 'équipe', gid: 1000 }] });
    expect(lib.loadIdentity(root, 'josé')).toEqual(jose);
    expect(lib.resolveLimits(t, jose).rlimits.nofile.soft.value).toBe(111n);
    const lea = lib.identityFor(db, db.users[1]!.name, 1001, 1001);
    expect(lib.resolveLimits(t, lea).rlimits.nofile.soft.value).toBe(444n);
    // planEdits' accounts: text names from loadAccountDb, compared as bytes inside
    const plan = lib.planEdits(t, [{ op: 'set', domain: 'josé', item: 'nofile', value: '5000', type: 'soft' }], { accounts: db });
    expect(plan.warnings).toEqual([]); // ("user 'josé' is not in the tree's etc/passwd" when names did not meet)
  });
  it('a string for passwd bytes is refused (its encoding would be a guess)', () => {
    expect(thrown(() => lib.parsePasswd('root:x:0:0::/:/bin/sh\n' as never)).message).toMatch(/^parsePasswd: bytes must be bytes/);
  });
});

describe('nested values of the wrong shape: EARGUMENT naming them, never a TypeError', () => {
  const good = (): lib.ConfigTree => lib.treeFromFiles({ [CONF]: Buffer.from('* soft nofile 10\n') });
  const withLines = (lines: unknown[]): lib.ConfigTree => {
    const g = good();
    return { ...g, files: [{ ...g.files[0]!, doc: { ...g.files[0]!.doc!, lines } }] } as never;
  };
  const alice = { name: 'alice', uid: 1000, gid: 1000, groups: [] };
  const res = (): lib.Resolution => lib.resolveLimits(good(), alice);
  const diag = { code: 'LC101', rule: 'unknown-item', severity: 'error', message: 'm', file: 'f', line: 1, column: 1, endLine: 1, endColumn: 2 };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['lines [null] (resolveLimits)', () => lib.resolveLimits(withLines([null]), alice), /^resolveLimits: tree\.files\[0\]\.doc\.lines\[0\] must be a line/],
    ['lines [{}] (planEdits)', () => lib.planEdits(withLines([{}]), []), /^planEdits: tree\.files\[0\]\.doc\.lines\[0\] must be a line/],
    ['readings [null] (lintTarget)', () => lib.lintTarget({ tree: withLines([{ index: 0, start: 0, end: 0, eolLength: 0, readings: [null] }]), accounts: null }), /^lintTarget: target\.tree\.files\[0\]\.doc\.lines\[0\]\.readings\[0\] must be a reading/],
    ['accounts users [null] (planEdits)', () => lib.planEdits(good(), [], { accounts: { users: [null], groups: [] } as never }), /^planEdits: options\.accounts\.users\[0\] must be an object, got null$/],
    ['accounts groups members [5] (identityFor)', () => lib.identityFor({ users: [], groups: [{ name: 'g', gid: 1, members: [5] }] } as never, 'a', 1, 1), /^identityFor: db\.groups\[0\]\.members\[0\] must be a string, got number 5$/],
    ['lintTarget accounts db users [null]', () => lib.lintTarget({ tree: good(), accounts: { db: { users: [null], groups: [] }, hasPasswd: true, hasGroup: true } as never }), /^lintTarget: target\.accounts\.db\.users\[0\] must be an object/],
    ['lintExitCode diagnostics [null]', () => lib.lintExitCode({ diagnostics: [null], files: [] } as never), /^lintExitCode: report\.diagnostics\[0\] must be an object, got null$/],
    ['lintSummary diagnostics [{}]', () => lib.lintSummary({ diagnostics: [{}], files: [] } as never), /^lintSummary: report\.diagnostics\[0\]\.code must be a string/],
    ['lintSummary severity fatal', () => lib.lintSummary({ diagnostics: [{ ...diag, severity: 'fatal' }], files: [] } as never), /^lintSummary: report\.diagnostics\[0\]\.severity must be 'error', 'warning', 'info'/],
    ['formatLintReport line "1"', () => lib.formatLintReport({ diagnostics: [{ ...diag, line: '1' }], files: [] } as never), /^formatLintReport: report\.diagnostics\[0\]\.line must be a whole number/],
    ['profileForOsRelease({ID: 5})', () => lib.profileForOsRelease({ ID: 5 } as never), /^profileForOsRelease: fields\.ID must be a string, got number 5$/],
    ['explainItem({rlimits: {}})', () => lib.explainItem({ rlimits: {} } as never, 'nofile'), /^explainItem: resolution\.profile is required$/],
    ['explainItem(events [null])', () => lib.explainItem({ ...res(), events: [null] } as never, 'nofile'), /^explainItem: resolution\.events\[0\] must be an object, got null$/],
    ['effectiveJson(a resolution without its rlimits values)', () => lib.effectiveJson({ ...res(), rlimits: { nofile: {} } } as never), /^effectiveJson: resolution is not what resolveLimits returned/],
    ["lintTarget severities 'warn'", () => lib.lintTarget({ tree: good(), accounts: null }, { severities: new Map([['LC101', 'warn']]) as never }), /^lintTarget: config\.severities 'LC101' must be 'error', 'warning', 'info', 'off' or left out, got the string "warn" \(did you mean 'warning'\?\)$/],
    ['lintTarget severities unknown code', () => lib.lintTarget({ tree: good(), accounts: null }, { severities: new Map([['LC1O1', 'off']]) }), /^lintTarget: config\.severities has "LC1O1", which is no rule's code or name \(did you mean 'LC101'\?\)/],
    ['lintTarget policy {}', () => lib.lintTarget({ tree: good(), accounts: null }, { policy: {} as never }), /^lintTarget: config\.policy\.entries must be an array, got undefined$/],
  ];
  for (const [what, f, message] of cases) {
    it(what, () => {
      const e = thrown(f);
      expect([e.code, e.message]).toEqual(['EARGUMENT', expect.stringMatching(message)]);
    });
  }
  it('lintTarget severities by rule name work like codes; a result formats, counts and exits like a report', () => {
    const bad = lib.treeFromFiles({ [CONF]: Buffer.from('* soft nofle 10\n') });
    const plain = lib.lintTarget({ tree: bad, accounts: null });
    const code = plain.diagnostics[0]!.code;
    const rule = plain.diagnostics[0]!.rule;
    expect(lib.lintTarget({ tree: bad, accounts: null }, { severities: new Map([[rule, 'off']]) }).diagnostics.filter((d) => d.code === code)).toEqual([]);
    expect(lib.lintExitCode(plain)).toBe(1);
    expect(lib.lintSummary(plain).errors).toBeGreaterThan(0);
    expect(lib.formatLintReport(plain)).toContain(`${CONF}:1:`);
    expect(JSON.parse(lib.formatLintReport(plain, 'json')).results[0].code).toBe(code);
    expect(JSON.parse(lib.formatLintReport(plain, 'sarif')).runs[0].tool.driver.name).toBe('limitsctl');
  });
});

describe('roots, tables, streams', () => {
  it('loadAccountDb, loadIdentity, detectProfile: a missing root is EBADROOT, as for loadTree (an empty db came back)', () => {
    const missing = path.join(tree(), 'no-such-root');
    for (const f of [() => lib.loadAccountDb(missing), () => lib.loadIdentity(missing, 'alice', { uid: 1, gid: 1 }), () => lib.detectProfile(missing), () => lib.loadTree(missing)]) {
      expect(thrown(f).code).toBe('EBADROOT');
    }
  });
  it('the exported tables are frozen: changing one throws and changes nothing', () => {
    const t = (): lib.ConfigTree => lib.treeFromFiles({ [CONF]: Buffer.from('* soft nofile 10\n') });
    const before = lib.lintTarget({ tree: t(), accounts: null });
    const attempts: Array<() => void> = [
      () => { (lib.ITEMS as unknown as Array<{ name: string }>)[0]!.name = 'x'; },
      () => { (lib.ITEM_NAMES as unknown as string[]).push('x'); },
      () => { (lib.PROFILES as unknown as object[]).length = 0; },
      () => { (lib.RANK as unknown as Record<string, number>).USER = 9; },
      () => { (lib.ERROR_CODES as unknown as Record<string, string>).EARGUMENT = 'io'; },
      () => { (lib.LINT_RULES as unknown as Array<{ severity: string }>)[0]!.severity = 'off'; },
      () => { (lib.PROFILE_ALIASES as unknown as Record<string, string>).debian = 'rhel-9'; },
      () => { (lib.PROFILE_TRAITS as unknown as Record<string, { rootExempt: boolean }>)['debian-12']!.rootExempt = false; },
    ];
    for (const a of attempts) expect(a).toThrow(TypeError);
    expect(lib.ITEM_NAMES).toContain('nofile');
    expect(lib.errorKind('EARGUMENT')).toBe('input');
    expect(lib.lintTarget({ tree: t(), accounts: null })).toEqual(before);
  });
  it('lintPaths of /dev/zero: a finding LC306 at the cap, not an exception', async () => {
    const r = await lib.lintPaths(['/dev/zero'], { settings: false });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LC306']);
  });
  it('echoed values are clipped: a 10 MB root gives a short message', () => {
    const huge = `/${'x'.repeat(10_000_000)}`;
    for (const f of [() => lib.loadTree(huge), () => lib.checkRoot(huge), () => lib.parseLimits(Buffer.from(''), { profile: huge as never })]) {
      const e = thrown(f);
      expect(e.code).toBe('EARGUMENT');
      expect(e.message.length).toBeLessThan(1000);
    }
  });
});

describe('a parsed document does not offer its bytes as a string', () => {
  it('the public type has no text (tsc checks the expect-error below); printDocument gives the Buffer', () => {
    const bytes = Buffer.concat([Buffer.from('# Zoë — café\n', 'utf8'), Buffer.from('* soft nofile 10\n')]);
    const doc = lib.parseLimits(bytes);
    // @ts-expect-error -- the internal one-char-per-byte text is not public: writeFileSync(path, doc.text) mangled non-ASCII
    expect(typeof doc.text).toBe('string');
    expect(lib.printDocument(doc)).toEqual(bytes);
    const tree = lib.treeFromFiles({ [CONF]: bytes });
    // @ts-expect-error -- nor through a tree's files
    expect(typeof tree.files[0]!.doc!.text).toBe('string');
  });
  it('a hand-built document without its bytes is refused where it is used', () => {
    const doc = { file: 'x', profile: 'debian-12', lines: [] } as unknown as lib.LimitsDocument;
    expect(thrown(() => lib.printDocument(doc)).message).toMatch(/^printDocument: doc must be a document parseLimits .* returned; this one lacks its bytes$/);
    const tree: lib.ConfigTree = { profile: 'debian-12', files: [{ path: CONF, role: 'main', status: 'ok', doc }], ignored: [], failure: null };
    expect(thrown(() => lib.planEdits(tree, [])).message).toMatch(/^planEdits: tree\.files\[0\]\.doc must be a document parseLimits/);
  });
});

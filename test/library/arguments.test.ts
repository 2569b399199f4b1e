/**
 * Every public function checks its arguments where it is called: a value of the wrong type or
 * shape gives a LimitsError (code EARGUMENT for a shape; the function's own code for a value it
 * understands and refuses), never a TypeError or RangeError from deep inside. The first part
 * calls every exported function with wrong values generically, so a new export without checks
 * fails here; the second names the argument in the message for the common mistakes.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as lib from '../../src/index.js';
import { LimitsError } from '../../src/index.js';

const scratch: string[] = [];
afterAll(() => { for (const d of scratch) rmSync(d, { recursive: true, force: true }); });
function tree(text = '* soft nofile 10\n'): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-args-'));
  scratch.push(root);
  mkdirSync(path.join(root, 'etc/security'), { recursive: true });
  writeFileSync(path.join(root, 'etc/security/limits.conf'), text);
  return root;
}

const BAD: unknown[] = [undefined, null, 42, 'no-such-thing', {}, [], [null], { files: 'x', profile: 7 }, Symbol('s'), () => 1];

// functions are camelCase, classes (the errors) PascalCase
const functions = Object.entries(lib).filter(([name, v]) => typeof v === 'function' && /^[a-z]/.test(name));

async function outcome(f: () => unknown): Promise<unknown> {
  try {
    await f();
    return null;
  } catch (e) {
    return e;
  }
}

describe('wrong arguments give a LimitsError, never a TypeError', () => {
  it('covers the functions', () => {
    expect(functions.map(([n]) => n)).toEqual(expect.arrayContaining(['parseLimits', 'planEdits', 'applyPlan', 'lintTree', 'resolveLimits', 'loadTree']));
  });

  for (const [name, fn] of functions) {
    it(`${name}`, async () => {
      const f = fn as (...a: unknown[]) => unknown;
      for (const v of BAD) {
        for (const args of [[v], [v, v], [v, v, v], ['/tmp', v, v], [v, [], {}]]) {
          const e = await outcome(() => f(...args));
          if (e === null) continue; // accepted (e.g. isProfileName(42) is false)
          expect(e, `${name}(${args.map((a) => typeof a === 'symbol' ? 'Symbol' : JSON.stringify(a) ?? String(a)).join(', ')}) threw ${String(e)}`).toBeInstanceOf(LimitsError);
        }
      }
    });
  }
});

describe('the argument is named', () => {
  const parsed = lib.treeFromFiles({ 'etc/security/limits.conf': Buffer.from('* soft nofile 10\n') });
  const alice = { name: 'alice', uid: 1000, gid: 1000, groups: [] };
  const cases: Array<[string, () => unknown, RegExp]> = [
    ['parseLimits(string)', () => lib.parseLimits('* soft nofile 10\n' as never), /^parseLimits: bytes must be bytes \(a Buffer or Uint8Array\), got a string; for text, give Buffer\.from\(text, 'utf8'\)$/],
    ['parseLimits(bytes, {profile: nope})', () => lib.parseLimits(Buffer.from(''), { profile: 'nope' as never }), /^parseLimits: options\.profile 'nope' is not a release profile/],
    ['resolveLimits(tree, {name})', () => lib.resolveLimits(parsed, { name: 'a' } as never), /^resolveLimits: identity\.uid must be a whole number/],
    ['explainItem(res, nofle)', () => lib.explainItem(lib.resolveLimits(parsed, alice), 'nofle' as never), /^explainItem: item 'nofle' is not a pam_limits item/],
    ['planEdits(tree, undefined)', () => lib.planEdits(parsed, undefined as never), /^planEdits: requests must be an array, got undefined$/],
    ['planEdits(tree, [{op: add}])', () => lib.planEdits(parsed, [{ op: 'add' } as never]), /^planEdits: requests\[0\]\.op must be 'set' or 'unset'$/],
    ['planEdits(tree, [], {prune: x})', () => lib.planEdits(parsed, [], { prune: 'x' } as never), /^planEdits: options\.prune must be an array/],
    ['planEdits(tree, [], {prune: [1]})', () => lib.planEdits(parsed, [], { prune: [1] } as never), /^planEdits: options\.prune\[0\] must be a string/],
    ['planEdits(tree, [], {nrOpen: 5})', () => lib.planEdits(parsed, [], { nrOpen: 5 } as never), /^planEdits: options\.nrOpen must be a bigint or null$/],
    ['planEdits(tree, [], {capSysResource: yes})', () => lib.planEdits(parsed, [], { capSysResource: 'yes' } as never), /^planEdits: options\.capSysResource must be/],
    ['loadTree(relative, {profile: 7})', () => lib.loadTree('/tmp', { profile: 7 as never }), /^loadTree: options\.profile must be a string, got number 7$/],
    ['treeFromFiles(other path)', () => lib.treeFromFiles({ 'etc/passwd': Buffer.from('') }), /^treeFromFiles: 'etc\/passwd' is not etc\/security\/limits\.conf/],
    ['treeFromFiles(no limits.conf)', () => lib.treeFromFiles({}), /^treeFromFiles: files must hold etc\/security\/limits\.conf/],
    ['formatLintReport(report, xml)', () => lib.formatLintReport({ diagnostics: [], files: [] } as never, 'xml' as never), /^formatLintReport: unknown format 'xml'/],
  ];
  for (const [what, f, message] of cases) {
    it(what, () => {
      let caught: unknown;
      try { f(); } catch (e) { caught = e; }
      expect(caught).toBeInstanceOf(LimitsError);
      expect((caught as LimitsError).code).toBe('EARGUMENT');
      expect((caught as LimitsError).kind).toBe('input');
      expect((caught as LimitsError).message).toMatch(message);
    });
  }

  it('lintTree: an unknown profile is refused before anything is read', async () => {
    await expect(lib.lintTree(tree(), { profile: 'nope' as never })).rejects.toMatchObject({ code: 'EARGUMENT', message: expect.stringMatching(/^lintTree: options\.profile 'nope'/) });
  });

  it('applyPlan: contents that are not bytes are refused, and nothing is written (not even the lock file)', async () => {
    const root = tree();
    const before = readFileSync(path.join(root, 'etc/security/limits.conf'));
    const plan = { changes: [{ path: 'etc/security/limits.conf', before, after: 'caf\u00e9 \u20ac' }] };
    await expect(lib.applyPlan(root, plan as never)).rejects.toMatchObject({ code: 'EARGUMENT', message: expect.stringMatching(/the plan\.changes\[0\]\.after must be bytes/) });
    await expect(lib.commitEdits(root, () => ({ changes: 5 }) as never)).rejects.toMatchObject({ code: 'EARGUMENT' });
    expect(readFileSync(path.join(root, 'etc/security/limits.conf'))).toEqual(before);
    expect(readdirSync(path.join(root, 'etc/security'))).toEqual(['limits.conf']);
  });
});

describe('checking a tree does not parse it', () => {
  it('a file loadTree read keeps its lines unparsed through the argument check; a hand-built one is still checked', async () => {
    const { tree: checkTree } = await import('../../src/library/args.js');
    const loaded = lib.loadTree(tree('* soft nofile 10\n'.repeat(1000)), { profile: 'debian' });
    const doc = (loaded.files[0] as unknown as { doc: object }).doc;
    expect(Object.getOwnPropertyDescriptor(doc, 'lines')?.get, 'loadTree gives a lazy document').toBeTypeOf('function');
    checkTree('planEdits', 'tree', loaded);
    expect(Object.getOwnPropertyDescriptor(doc, 'lines')?.get, 'the check parsed the file').toBeTypeOf('function');
    // the same shape built by hand, with a getter of its own: its lines are read and checked
    const forged = { ...loaded, files: [{ ...loaded.files[0], doc: Object.defineProperty({ file: 'etc/security/limits.conf', profile: 'debian', text: '' }, 'lines', { get: () => [null], enumerable: true }) }] };
    expect(() => checkTree('planEdits', 'tree', forged)).toThrow(/lines\[0\] must be a line/);
  });
});

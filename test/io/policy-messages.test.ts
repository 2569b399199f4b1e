/**
 * apply's policy reader names what is wrong in the words of the policy file: a key without a
 * value, a line that is not a section header, an item set twice in a section (also in another
 * case, or as ITEM and ITEM.both).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../src/io/policy.js';
import { DEMO, runMain } from '../cli/helpers.js';
import { differences, snapshot } from '../cli/snapshot.js';

async function refusal(text: string): Promise<string> {
  try {
    await parsePolicy(text, 'p.ini');
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as Error).message;
  }
  throw new Error(`accepted: ${JSON.stringify(text)}`);
}

describe('policy messages', () => {
  it('a key without a value (ini reads it as true) says so', async () => {
    expect(await refusal('[admin]\nnproc\n')).toBe("p.ini: [admin] nproc has no value; write nproc = VALUE, e.g. nproc = 4096");
    expect(await refusal('[admin]\nnofile.soft = true\n')).toMatch(/^p\.ini: \[admin\] nofile\.soft has no value/);
  });

  it('a line that looks like a section header but is not one names its line', async () => {
    expect(await refusal('[admin]]\nnproc = 5\n')).toBe("p.ini: line 1: '[admin]]' is not a section header; write [domain] alone on its line, e.g. [admin]");
    expect(await refusal('[*]\nnproc = 5\n\n [admin]\nnproc = 6\n')).toMatch(/^p\.ini: line 4: '\[admin\]' is not a section header/);
    expect(await refusal('\uFEFF[*]\nnproc = 5\r\n[@dev]x\n')).toMatch(/^p\.ini: line 3: '\[@dev\]x' is not a section header/);
  });

  it('an item set twice in one section names both keys', async () => {
    expect(await refusal('[admin]\nnproc = 5\nNPROC = 6\n')).toBe('p.ini: nproc is set twice in [admin] (nproc, NPROC); give each of soft and hard once');
    expect(await refusal('[admin]\nnproc = 5\nnproc.both = 6\n')).toMatch(/nproc is set twice in \[admin\] \(nproc, nproc\.both\)/);
    expect(await refusal('[admin]\nnproc.soft = 5\nnproc = 6\n')).toMatch(/nproc is set twice in \[admin\] \(nproc\.soft, nproc\)/);
    expect(await refusal('[admin]\nnproc.hard = 5\nnproc.HARD = 6\n')).toMatch(/nproc is set twice in \[admin\] \(nproc\.hard, nproc\.HARD\)/);
  });

  it('soft and hard given apart, and the same item in two sections, are fine', async () => {
    const p = await parsePolicy('[admin]\nnproc.soft = 5\nnproc.hard = 6\n[*]\nnproc = 7\n', 'p.ini');
    expect(p.requests.map((r) => `${r.domain} ${r.type} ${r.item} ${r.op === "set" ? r.value : ""}`)).toEqual(['admin soft nproc 5', 'admin hard nproc 6', '* both nproc 7']);
  });
});

describe('apply with such a policy', () => {
  let dirs: string[] = [];
  afterEach(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); dirs = []; });

  it('exit 2, the message, nothing written', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-policy-msg-'));
    dirs.push(root);
    cpSync(DEMO, root, { recursive: true });
    for (const [text, msg] of [
      ['[admin]\nnproc\n', /\[admin\] nproc has no value/],
      ['[admin]]\nnproc = 5\n', /line 1: '\[admin\]\]' is not a section header/],
      ['[admin]\nnproc = 5\nNPROC = 6\n', /nproc is set twice in \[admin\] \(nproc, NPROC\)/],
    ] as const) {
      const policy = path.join(os.tmpdir(), `limitsctl-policy-msg-${process.pid}.ini`);
      writeFileSync(policy, text);
      const before = snapshot(root);
      const r = await runMain(['apply', policy, '--root', root]);
      rmSync(policy);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(differences(before, snapshot(root))).toEqual([]);
    }
  });
});

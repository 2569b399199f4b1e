/**
 * apply reads its policy file as it reads the tree: a FIFO or device is refused at once (never
 * waited on), and a policy that is not UTF-8 is refused instead of being written as U+FFFD bytes.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';
import { demoCopies } from './trees.js';
import { differences, snapshot } from './snapshot.js';

const demoCopy = demoCopies('limitsctl-apply-input-');

describe('apply: the policy file', () => {
  it('a FIFO as the policy ends at once with exit 2 and changes nothing', () => {
    const root = demoCopy();
    const fifo = path.join(root, 'policy.ini');
    execFileSync('mkfifo', [fifo]);
    const before = snapshot(root);
    // generous timeout: a blocking open would hang until it (the old behaviour)
    const r = cli(['apply', fifo, '--root', root], { timeout: 20_000 });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/cannot read policy: .*FIFO/);
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('a policy that is not valid UTF-8 is refused, not written as replacement characters', () => {
    const root = demoCopy();
    const policy = path.join(root, 'policy.ini');
    writeFileSync(policy, Buffer.from('[jos\xe9]\nnproc = 77\n', 'latin1'));
    const before = snapshot(root);
    const r = cli(['apply', policy, '--root', root]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/not valid UTF-8/);
    expect(differences(before, snapshot(root))).toEqual([]);
  });
});

/**
 * The analysis rules (LC202, LC203, LC206, LC302, LC304) run once per file (scope 'file'): given a
 * context holding one file, each reports on that file only, and the findings of all the files
 * together are those of the whole tree (the engine writes each file's findings before checking
 * the next, so none is held until the end of the tree).
 */
import { describe, expect, it } from 'vitest';
import { parseGroup, parsePasswd } from '../../src/core/accounts.js';
import { Analysis } from '../../src/core/lint/analysis.js';
import { lintTarget } from '../../src/core/lint/engine.js';
import { EMPTY_POLICY } from '../../src/core/lint/policy.js';
import { RULES } from '../../src/core/lint/rules.js';
import type { DeferredReport, LintAccounts, RuleContext, RuleReport } from '../../src/core/lint/types.js';
import type { ConfigTree, LimitsDocument, TreeFile } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import { DEFAULT_NR_OPEN } from '../../src/core/schema.js';

const profile = 'debian-12' as const;
const texts = [
  // LC202 (line 1 replaced by line 2), LC206 ('*' lines, no root line), LC304 (bob, @nogroup)
  '* soft nproc 10\n* soft nproc 20\nbob hard nofile 5\n@nogroup hard core 0\n@staff soft stack 100\n',
  // LC302 (replaces the main file's '* soft nproc 20'), LC203 (an empty uid range matches nobody)
  '* soft nproc 30\n2000:1000 soft cpu 5\nalice soft cpu 6\n* hard as 100\n',
  '* soft nproc 40\n* hard as 200\n',
];
const paths = ['etc/security/limits.conf', 'etc/security/limits.d/50-a.conf', 'etc/security/limits.d/60-b.conf'];

function tree(): ConfigTree {
  return {
    profile,
    files: texts.map((text, i) => ({
      path: paths[i]!, role: i === 0 ? 'main' as const : 'dropin' as const, status: 'ok' as const,
      doc: parseLimits(Buffer.from(text), { file: paths[i]!, profile }),
    })),
    ignored: [],
    failure: null,
  };
}

const accounts: LintAccounts = {
  db: { users: parsePasswd('root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n'), groups: parseGroup('root:x:0:\nstaff:x:50:alice\nalice:x:1000:\n') },
  hasPasswd: true,
  hasGroup: true,
};

const CODES = ['LC202', 'LC203', 'LC206', 'LC302', 'LC304'];

describe('the analysis rules report file by file', () => {
  for (const code of CODES) {
    it(`${code} declares scope 'file' and reports on the one file its context holds`, () => {
      const rule = RULES.find((r) => r.code === code)!;
      expect(rule.scope).toBe('file');
      const t = tree();
      const an = new Analysis({ tree: t, profile, accounts, nrOpen: DEFAULT_NR_OPEN, policy: EMPTY_POLICY, budget: 1 << 14 });
      const seen: string[] = [];
      for (const f of t.files) {
        const one = [{ file: f, doc: f.doc! }] as ReadonlyArray<{ file: TreeFile; doc: LimitsDocument }>;
        const ctx: RuleContext = {
          tree: t, profile, accounts, nrOpen: DEFAULT_NR_OPEN, nrOpenSource: null, capSysResource: null, startingLimits: null,
          policy: EMPTY_POLICY, standalone: false, analysis: an, docs: one,
          report: (r: RuleReport | DeferredReport) => {
            const p = typeof r.file === 'string' ? r.file : r.file.path;
            expect(p).toBe(f.path);
            // a deferred message is worded here, as the engine does when it writes the finding
            seen.push(`${p}\0${r.span?.start}\0${'text' in r ? r.text.message(r.a, r.b) : r.message}`);
          },
        };
        rule.check(ctx);
      }
      // the same findings as the engine's run of the rule on the whole tree
      const whole = lintTarget({ tree: tree(), accounts }, {}, [rule]).diagnostics;
      expect(whole.length).toBeGreaterThan(0);
      expect(seen.length).toBe(whole.length);
      expect(seen.map((s) => `${s.split('\0')[0]}\0${s.split('\0')[2]}`).sort()).toEqual(whole.map((d) => `${d.file}\0${d.message}`).sort());
    });
  }
});

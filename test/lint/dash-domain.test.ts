/**
 * LC013 dash-domain beyond its fixtures: with an etc/passwd it is reported once (LC304 does not
 * also report "no account '-'"), and the two-field `- -` gets it too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { lintTarget } from '../../src/core/lint/engine.js';
import { loadLintTargets } from '../../src/io/lint-targets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-dash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("with etc/passwd: LC013 once per '-' domain, no LC304 for it; other unknown names still LC304", async () => {
  mkdirSync(path.join(dir, 'etc/security'), { recursive: true });
  writeFileSync(path.join(dir, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\nadmin:x:1000:1000::/home/admin:/bin/sh\n');
  writeFileSync(path.join(dir, 'etc/security/limits.conf'), '- soft nofile 4096\nghost hard nproc 10\n- -\n');
  const [t] = await loadLintTargets(['.'], { cwd: dir, profile: () => 'linux-pam-1.5.2' });
  const found = lintTarget(t!.target).diagnostics.filter((d) => d.code === 'LC013' || d.code === 'LC304').map((d) => `${d.line}:${d.code}`);
  expect(found).toEqual(['1:LC013', '2:LC304', '3:LC013']);
});

/**
 * Policy values in .limitsctl.ini are checked as `set` checks its value: a value pam_limits
 * would read differently (`20k` is read as 20) or out of range is refused, naming the file, the
 * key and the value — never silently read as something else.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSettings, SettingsError } from '../../src/io/settings.js';
import { DEMO, runMain } from '../cli/helpers.js';

const F = '/repo/.limitsctl.ini';

describe('.limitsctl.ini [policy] values', () => {
  const bad: Array<[string, RegExp]> = [
    ['max[] = * soft nproc 20k', /\[policy\] max\[\] = \* soft nproc 20k: pam_limits would not read '20k' as written for nproc.*it reads 20/],
    ['min[] = * hard nice 30', /\[policy\] min\[\] = \* hard nice 30: .*'30'.*nice/],
    ['min[] = @dev soft nofile 0x10', /\[policy\] min\[\] = @dev soft nofile 0x10: .*'0x10'/],
    ['require[] = root hard nofile 1e3', /\[policy\] require\[\] = root hard nofile 1e3: .*'1e3'/],
  ];
  for (const [entry, msg] of bad) {
    it(`refuses ${entry}`, () => {
      const text = `[policy]\n${entry}\n`;
      expect(() => parseSettings(text, F)).toThrow(SettingsError);
      expect(() => parseSettings(text, F)).toThrow(msg);
      expect(() => parseSettings(text, F)).toThrow(/^\/repo\/\.limitsctl\.ini: /);
    });
  }

  it('keeps values set would take (numbers, unlimited, -1, a require without a value)', () => {
    const s = parseSettings('[policy]\nmin[] = * soft nproc 4096\nmax[] = * hard nofile unlimited\nmax[] = * soft core -1\nmin[] = * hard nice -5\nrequire[] = root hard nofile\n', F);
    expect(s.policy.entries.map((e) => e.text)).toEqual(['* soft nproc 4096', '* hard nice -5', '* hard nofile unlimited', '* soft core -1', 'root hard nofile']);
  });

  it('lint with such a file: exit 2 and one message, not a finding against the misread value', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-settings-values-'));
    writeFileSync(path.join(dir, '.limitsctl.ini'), '[policy]\nmax[] = * soft nproc 20k\n');
    const r = await runMain(['lint', '--root', DEMO], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${path.join(dir, '.limitsctl.ini')}: [policy] max[] = * soft nproc 20k: pam_limits would not read '20k'`);
    expect(r.stdout).not.toMatch(/maximum 20\b/);
  });
});

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { globToRegExp } from '../../src/core/lint/glob.js';
import { findSettingsFile, parseSettings, SettingsError } from '../../src/io/settings.js';

const F = '/repo/.limitsctl.ini';

describe('.limitsctl.ini', () => {
  it('reads profile, rule severities by code and name, policy entries and ignore globs', () => {
    const s = parseSettings([
      'profile = debian', 'ignore[] = hosts/legacy/**', 'nr-open = 2097152',
      '[rules]', 'LC203 = off', 'duplicate-entry = error',
      '[policy]', 'min[] = * soft nproc 4096', 'max[] = * hard core 0', 'require[] = root hard nofile',
    ].join('\n'), F);
    expect(s.profile).toBe('debian-12');
    expect([...s.severities]).toEqual([['LC203', 'off'], ['LC202', 'error']]);
    expect(s.policy.entries.map((e) => [e.kind, e.text])).toEqual([['min', '* soft nproc 4096'], ['max', '* hard core 0'], ['require', 'root hard nofile']]);
    expect(s.ignore).toEqual(['hosts/legacy/**']);
    expect(s.nrOpen).toBe(2097152n);
  });

  const bad: Array<[string, RegExp]> = [
    ['[rulez]\nx = off', /unknown section \[rulez\].*did you mean \[rules\]/],
    ['colour = on', /unknown key 'colour'/],
    ['[rules]\nduplicate-entrys = off', /unknown key 'duplicate-entrys' in \[rules\].*did you mean 'duplicate-entry'/],
    ['[rules]\nLC202 = loud', /LC202 = loud: use error, warning, info or off/],
    ['[policy]\nminimum[] = * soft nproc 1', /unknown key 'minimum' in \[policy\]/],
    ['[policy]\nmin[] = * soft npoc 1', /unknown item 'npoc'; did you mean 'nproc'/],
    ['[policy]\nmin[] = * soft nproc', /should be <domain> <type> <item> <value>/],
    ['profile = fedora-39', /profile = fedora-39/],
    ['[rules.x]\na = 1', /unknown key 'x' in \[rules\]/],
  ];
  for (const [text, msg] of bad) {
    it(`rejects ${JSON.stringify(text)}, naming the key and the file`, () => {
      expect(() => parseSettings(text, F)).toThrow(SettingsError);
      expect(() => parseSettings(text, F)).toThrow(msg);
      expect(() => parseSettings(text, F)).toThrow(/^\/repo\/\.limitsctl\.ini: /);
    });
  }

  it('is found in the working directory or a parent', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'limitsctl-settings-'));
    mkdirSync(path.join(dir, 'a/b'), { recursive: true });
    writeFileSync(path.join(dir, '.limitsctl.ini'), 'profile = upstream\n');
    expect(findSettingsFile(path.join(dir, 'a/b'))).toBe(path.join(dir, '.limitsctl.ini'));
  });

  it('ignore globs: * within a segment, ** across, bare names at any depth, directories cover their contents', () => {
    const m = (g: string, p: string) => globToRegExp(g).test(p);
    expect(m('hosts/legacy/**', 'hosts/legacy/etc/security/limits.conf')).toBe(true);
    expect(m('hosts/*/etc', 'hosts/a/etc/security/limits.conf')).toBe(true);
    expect(m('hosts/*.conf', 'hosts/a/b.conf')).toBe(false);
    expect(m('*.bak', 'x/y/limits.conf.bak')).toBe(true);
    expect(m('{a,b}.conf', 'b.conf')).toBe(true);
    expect(m('hosts/legacy', 'hosts/legacy2/x')).toBe(false);
  });
});

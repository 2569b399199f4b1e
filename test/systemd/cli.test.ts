/**
 * `limitsctl get|effective|explain --unit`: the issue 13 case (`get nofile --unit x.service
 * --root T --json` for a unit with two drop-ins and a DefaultLimitNOFILE), text output, a missing
 * unit (exit 2), and --unit with --user refused. The values themselves are checked against
 * systemd's parser in agreement.test.ts.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, REPO } from '../cli/helpers.js';

const T = path.join(REPO, 'fixtures/systemd/two-dropins');

describe('--unit', () => {
  it('get nofile --unit x.service --json: soft/hard from the second drop-in, with provenance', () => {
    const r = cli(['get', 'nofile', '--unit', 'x.service', '--root', T, '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    const from = { file: 'usr/lib/systemd/system/x.service.d/20-nofile.conf', line: 2, setting: 'LimitNOFILE' };
    expect(j).toMatchObject({ unit: 'x.service', item: 'nofile', soft: 16384, hard: 65536, softFrom: from, hardFrom: from, warnings: [] });
    expect(j.files).toEqual({
      fragment: 'etc/systemd/system/x.service',
      dropins: ['etc/systemd/system/x.service.d/10-nofile.conf', 'usr/lib/systemd/system/x.service.d/20-nofile.conf'],
      manager: ['etc/systemd/system.conf', 'etc/systemd/system.conf.d/50-limits.conf'],
    });
  });
  it('a name without a suffix is a .service; values from system.conf.d say so; a unit only in another tree is not found', () => {
    const r = cli(['get', 'stack', '--unit', 'x', '--root', T]);
    expect(r.stdout).toContain('soft 16384 KiB (16 MiB)  hard unlimited  (x.service: etc/systemd/system.conf.d/50-limits.conf:3 DefaultLimitSTACK=)');
    const d = cli(['get', 'nofile', '--unit', 'y', '--root', path.join(REPO, 'fixtures/systemd/defaults-only'), '--json']);
    expect(JSON.parse(d.stdout)).toMatchObject({ soft: 2048, hard: 65536, softFrom: { file: 'etc/systemd/system.conf.d/50-limits.conf', line: 2, setting: 'DefaultLimitNOFILE' } });
    const b = cli(['get', 'nofile', '--unit', 'y', '--root', path.join(REPO, 'fixtures/systemd/two-dropins')]);
    expect(b.code).toBe(2);
  });
  it('effective --unit and explain --unit', () => {
    const e = cli(['effective', '--unit', 'x', '--root', T, '--json']);
    expect(JSON.parse(e.stdout).limits.memlock).toMatchObject({ soft: 65536, hard: 65536, softFrom: { file: 'etc/systemd/system/x.service', line: 8 } });
    const x = cli(['explain', 'nofile', '--unit', 'x', '--root', T, '--json']);
    expect(JSON.parse(x.stdout).assignments.map((a: { file: string; won: boolean }) => [a.file, a.won])).toEqual([
      ['etc/systemd/system.conf.d/50-limits.conf', false],
      ['etc/systemd/system/x.service', false],
      ['etc/systemd/system/x.service.d/10-nofile.conf', false],
      ['usr/lib/systemd/system/x.service.d/20-nofile.conf', true],
    ]);
  });
  it('a missing unit exits 2 with a clear message; --unit with --user is refused', () => {
    const r = cli(['get', 'nofile', '--unit', 'nope', '--root', T]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unit nope.service not found');
    const u = cli(['get', 'nofile', '--unit', 'x', '--user', 'root', '--root', T]);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain('--user and --unit contradict');
  });
});

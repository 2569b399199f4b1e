/**
 * The systemd rules limitsctl follows, each with the man page (systemd 252) it comes from. The
 * values' grammar is also checked against systemd's parser in agreement.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RLIM_INFINITY } from '../../src/core/schema.js';
import { parseLimitValue, limitSettingFor } from '../../src/core/systemd/limits.js';
import { dropinNames, normalizeUnitName, resolveUnitLimits } from '../../src/core/systemd/resolve.js';
import { parseUnitText } from '../../src/core/systemd/syntax.js';
import { loadUnitLimits } from '../../src/io/systemd.js';

const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });
function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-sdunit-'));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  for (const [rel, target] of Object.entries(links)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    symlinkSync(target, path.join(root, rel));
  }
  return root;
}
const svc = (body: string) => `[Service]\nExecStart=/bin/true\n${body}\n`;
function nofile(root: string, unit = 'x') {
  const u = loadUnitLimits(root, unit);
  if (!u.ok) throw new Error(u.message);
  return u.limits.limits.nofile;
}

describe('systemd.syntax(7)', () => {
  it('comments with # and ;, sections, blanks around =, continuation lines become one with a space', () => {
    const p = parseUnitText('# c\n; c\n[Service]\n  LimitNOFILE = 10 \nLimitNPROC=1\\\n# skipped\n0\n');
    expect(p.assignments).toEqual([
      { section: 'Service', key: 'LimitNOFILE', value: '10', line: 4 },
      { section: 'Service', key: 'LimitNPROC', value: '1 0', line: 5 },
    ]);
  });
});

describe('systemd.exec(5) Limit*= values', () => {
  const v = (item: Parameters<typeof limitSettingFor>[0], s: string) => parseLimitValue(limitSettingFor(item), s);
  it('one value sets soft and hard; soft:hard; infinity on either side; soft above hard is ignored', () => {
    expect(v('nofile', '4096')).toEqual({ ok: true, soft: 4096n, hard: 4096n });
    expect(v('nofile', '1024:infinity')).toEqual({ ok: true, soft: 1024n, hard: RLIM_INFINITY });
    expect(v('nofile', 'infinity:1024').ok).toBe(false);
  });
  it('sizes take K M G T P E to the base 1024; LimitCPU= seconds with time units, rounded up; LimitRTTIME= microseconds', () => {
    expect(v('memlock', '8M')).toEqual({ ok: true, soft: 8388608n, hard: 8388608n });
    expect(v('as', '4G:16G')).toEqual({ ok: true, soft: 4n << 30n, hard: 16n << 30n });
    expect(v('cpu', '1min 30s')).toEqual({ ok: true, soft: 90n, hard: 90n });
    expect(v('cpu', '500ms')).toEqual({ ok: true, soft: 1n, hard: 1n });
    expect(v('rttime', '2ms')).toEqual({ ok: true, soft: 2000n, hard: 2000n });
  });
  it('LimitNICE=: +/- is a nice value -20..19 (kernel 20 - nice), otherwise the raw 0..40', () => {
    expect(v('nice', '-5')).toEqual({ ok: true, soft: 25n, hard: 25n });
    expect(v('nice', '5')).toEqual({ ok: true, soft: 5n, hard: 5n });
    expect(v('nice', '41').ok).toBe(false);
    expect(v('nice', '-21').ok).toBe(false);
  });
  it('an empty assignment does not reset a limit: systemd 252 ignores it ("Failed to parse resource value")', () => {
    const r = resolveUnitLimits({ unit: 'x.service', fragment: { file: 'u', text: svc('LimitNOFILE=10') }, dropins: [{ file: 'd', text: '[Service]\nLimitNOFILE=\n' }], manager: [] });
    expect(r.limits.nofile.soft).toBe(10n);
    expect(r.problems.map((p) => p.file)).toEqual(['d']);
  });
});

describe('systemd.unit(5) load path and drop-ins', () => {
  it('a name without a suffix means .service; drop-in names: the unit, the template, the dash prefixes, the type', () => {
    expect(normalizeUnitName('nginx')).toEqual({ ok: true, name: 'nginx.service', type: 'service' });
    expect(dropinNames('foo-bar@a.service')).toEqual(['foo-bar@a.service.d', 'foo-bar@.service.d', 'foo-.service.d', 'service.d']);
  });
  it('etc/systemd/system masks the vendor unit in usr/lib/systemd/system', () => {
    const root = tree({ 'etc/systemd/system/x.service': svc('LimitNOFILE=1'), 'usr/lib/systemd/system/x.service': svc('LimitNOFILE=2') });
    expect(nofile(root).soft).toBe(1n);
  });
  it('drop-ins apply in file-name order across directories; a name in etc masks the same name in usr/lib', () => {
    const root = tree({
      'usr/lib/systemd/system/x.service': svc('LimitNOFILE=1'),
      'usr/lib/systemd/system/x.service.d/30.conf': svc('LimitNOFILE=30'),
      'usr/lib/systemd/system/x.service.d/10.conf': svc('LimitNOFILE=99'),
      'etc/systemd/system/x.service.d/10.conf': svc('LimitNOFILE=10'),
      'run/systemd/system/x.service.d/20.conf': svc('LimitNOFILE=20'),
    });
    const l = nofile(root);
    expect(l.soft).toBe(30n);
    expect(l.overrides.map((s) => ('file' in s ? s.file : ''))).toEqual([
      'usr/lib/systemd/system/x.service', 'etc/systemd/system/x.service.d/10.conf', 'run/systemd/system/x.service.d/20.conf',
    ]);
  });
  it('prefix and type-level drop-ins apply; foo-bar-.service.d/10.conf overrides foo-.service.d/10.conf', () => {
    const root = tree({
      'etc/systemd/system/foo-bar-baz.service': svc(''),
      'etc/systemd/system/foo-.service.d/10.conf': svc('LimitNOFILE=1'),
      'etc/systemd/system/foo-bar-.service.d/10.conf': svc('LimitNOFILE=2'),
      'etc/systemd/system/service.d/05.conf': svc('LimitNPROC=7'),
    });
    const u = loadUnitLimits(root, 'foo-bar-baz');
    if (!u.ok) throw new Error(u.message);
    expect(u.limits.limits.nofile.soft).toBe(2n);
    expect(u.limits.limits.nproc.soft).toBe(7n);
  });
  it('a unit linked to /dev/null is masked; a missing unit is not found', () => {
    const root = tree({ 'usr/lib/systemd/system/x.service': svc('') }, { 'etc/systemd/system/x.service': '/dev/null' });
    expect(loadUnitLimits(root, 'x')).toMatchObject({ ok: false, reason: 'masked' });
    expect(loadUnitLimits(root, 'y')).toMatchObject({ ok: false, reason: 'not-found' });
  });
});

describe('systemd-system.conf(5) defaults', () => {
  it('DefaultLimit*= of system.conf then system.conf.d; a unit setting beats them; built-in 1024:524288 and 8M', () => {
    const root = tree({
      'etc/systemd/system/x.service': svc('LimitMEMLOCK=1M'),
      'etc/systemd/system.conf': '[Manager]\nDefaultLimitNOFILE=100\nDefaultLimitMEMLOCK=2M\n',
      'usr/lib/systemd/system.conf.d/50.conf': '[Manager]\nDefaultLimitNOFILE=2048:65536\n',
    });
    const u = loadUnitLimits(root, 'x');
    if (!u.ok) throw new Error(u.message);
    expect([u.limits.limits.nofile.soft, u.limits.limits.nofile.hard, u.limits.limits.nofile.from]).toEqual([2048n, 65536n, { kind: 'manager', file: 'usr/lib/systemd/system.conf.d/50.conf', line: 2, setting: 'DefaultLimitNOFILE' }]);
    expect(u.limits.limits.memlock.soft).toBe(1048576n);
    const bare = loadUnitLimits(tree({ 'etc/systemd/system/x.service': svc('') }), 'x');
    if (!bare.ok) throw new Error(bare.message);
    expect([bare.limits.limits.nofile.soft, bare.limits.limits.nofile.hard, bare.limits.limits.memlock.hard]).toEqual([1024n, 524288n, 8388608n]);
    expect(bare.limits.limits.nofile.from.kind).toBe('builtin');
  });
});

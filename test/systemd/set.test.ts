/**
 * `set ITEM VALUE --unit NAME` / `unset ITEM --unit NAME`: the drop-in
 * etc/systemd/system/<unit>.d/limitsctl.conf, written in systemd's grammar (read back exactly by
 * the grammar of src/core/systemd/limits.ts), idempotent by meaning, refused (exit 2, nothing
 * changed) when a later drop-in would override it, and read by systemd 252 itself as the value
 * asked for (systemd-analyze verify --root; skipped when it cannot run, as agreement.test.ts).
 * Every case works on a copy of a fixtures/systemd tree.
 */
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RLIM_INFINITY } from '../../src/core/schema.js';
import { editDropinText, formatLimitValue, parseWantedValue } from '../../src/core/systemd/edit.js';
import { LIMIT_SETTINGS, parseLimitValue } from '../../src/core/systemd/limits.js';
import { REPO, runMain } from '../cli/helpers.js';
import { differences, snapshot } from '../cli/snapshot.js';
import { analyzeSkipReason, analyzeUnits } from './systemd-analyze.js';

const tmp: string[] = [];
afterAll(() => { for (const t of tmp) rmSync(t, { recursive: true, force: true }); });

function copy(fixture: 'two-dropins' | 'defaults-only'): string {
  const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-sdset-'));
  tmp.push(root);
  cpSync(path.join(REPO, 'fixtures/systemd', fixture), root, { recursive: true });
  return root;
}

const DROPIN = 'etc/systemd/system/x.service.d/limitsctl.conf';
const read = (root: string, rel: string) => readFileSync(path.join(root, rel), 'utf8');
const run = (root: string, ...args: string[]) => runMain([...args, '--root', root]);

describe('the written grammar', () => {
  it('every setting: the text reads back as exactly the values written (soft = hard gives one value)', () => {
    const values = [0n, 1n, 7n, 1023n, 1024n, 1536n, 4096n, 65536n, 1n << 20n, 3n << 30n, (1n << 40n) + 1024n, 1n << 60n, RLIM_INFINITY];
    for (const s of LIMIT_SETTINGS) {
      const ok = s.grammar === 'nice' ? [0n, 1n, 20n, 25n, 40n] : values;
      for (const soft of ok) {
        for (const hard of ok) {
          if (soft > hard) continue;
          const text = formatLimitValue(s, soft, hard);
          expect(parseLimitValue(s, text), `${s.setting}=${text}`).toEqual({ ok: true, soft, hard });
          expect(text.includes(':'), `${s.setting}=${text}`).toBe(soft !== hard);
        }
      }
    }
  });
  it('bytes with the largest exact suffix, counts and seconds plain, nice with its sign, infinity', () => {
    const by = (name: string) => LIMIT_SETTINGS.find((s) => s.setting === name)!;
    expect(formatLimitValue(by('LimitMEMLOCK'), 64n << 20n, 64n << 20n)).toBe('64M');
    expect(formatLimitValue(by('LimitMEMLOCK'), 1536n << 10n, RLIM_INFINITY)).toBe('1536K:infinity');
    expect(formatLimitValue(by('LimitNOFILE'), 4096n, 65536n)).toBe('4096:65536');
    expect(formatLimitValue(by('LimitCPU'), 120n, 120n)).toBe('120');
    expect(formatLimitValue(by('LimitNICE'), 25n, 25n)).toBe('-5');
    expect(formatLimitValue(by('LimitNICE'), 20n, 21n)).toBe('+0:-1');
    expect(formatLimitValue(by('LimitNICE'), 0n, 27n)).toBe('0:-7');
  });
  it('the value given is in limits.conf units and strict', () => {
    expect(parseWantedValue('memlock', '65536')).toEqual({ ok: true, kernel: 64n << 20n });
    expect(parseWantedValue('cpu', '2')).toEqual({ ok: true, kernel: 120n });
    expect(parseWantedValue('nofile', 'unlimited')).toEqual({ ok: true, kernel: RLIM_INFINITY });
    expect(parseWantedValue('nice', '-5')).toEqual({ ok: true, kernel: 25n });
    for (const [item, v] of [['nofile', '10k'], ['nofile', '0x10'], ['nofile', ''], ['nice', '20'], ['nice', 'unlimited'], ['memlock', '18014398509481984']] as const) {
      expect(parseWantedValue(item, v).ok, `${item} ${v}`).toBe(false);
    }
  });
  it('editing a drop-in: replaces in place, removes earlier and continued assignments, keeps other lines byte for byte', () => {
    const before = '# mine\n[Unit]\nDescription=x\n\n[Service]\nLimitNOFILE=1\nEnvironment=A=1\nLimitNOFILE=2:\\\n  3\n\n[Install]\nWantedBy=multi-user.target\n';
    expect(editDropinText(before, 'x.service', 'Service', 'LimitNOFILE', '4096')).toBe('# mine\n[Unit]\nDescription=x\n\n[Service]\nEnvironment=A=1\nLimitNOFILE=4096\n\n[Install]\nWantedBy=multi-user.target\n');
    expect(editDropinText(before, 'x.service', 'Service', 'LimitCORE', '0')).toBe('# mine\n[Unit]\nDescription=x\n\n[Service]\nLimitNOFILE=1\nEnvironment=A=1\nLimitNOFILE=2:\\\n  3\nLimitCORE=0\n\n[Install]\nWantedBy=multi-user.target\n');
    expect(editDropinText(before, 'x.service', 'Service', 'LimitNOFILE', null)).toBe('# mine\n[Unit]\nDescription=x\n\n[Service]\nEnvironment=A=1\n\n[Install]\nWantedBy=multi-user.target\n');
    expect(editDropinText('[Unit]\nX=1', 'x.service', 'Service', 'LimitCORE', '0')).toBe('[Unit]\nX=1\n\n[Service]\nLimitCORE=0\n');
    expect(editDropinText(null, 'x.service', 'Service', 'LimitCORE', '0')).toMatch(/^# .*\n# .*\n\[Service\]\nLimitCORE=0\n$/);
  });
});

describe('set --unit', () => {
  it('writes limitsctl.conf (new 0755 directory, 0644 file) in systemd grammar; a second run is unchanged and touches nothing; no etc/security appears', async () => {
    const root = copy('defaults-only');
    const r = await run(root, 'set', 'nofile', '4096', '--unit', 'y.service', '--type', 'soft');
    expect(r.code, r.stderr).toBe(0);
    const rel = 'etc/systemd/system/y.service.d/limitsctl.conf';
    // soft only: the hard 65536 the unit gets from DefaultLimitNOFILE=2048:65536 is kept
    expect(read(root, rel)).toMatch(/\n\[Service\]\nLimitNOFILE=4096:65536\n$/);
    expect(statSync(path.join(root, rel)).mode & 0o7777).toBe(0o644);
    expect(statSync(path.dirname(path.join(root, rel))).mode & 0o7777).toBe(0o755);
    expect(r.stdout).toContain("run 'systemctl daemon-reload', then 'systemctl restart y.service'");
    expect(r.stdout).toContain('keeps its old limits until it is restarted');
    expect(existsSync(path.join(root, 'etc/security'))).toBe(false);
    const before = snapshot(root);
    const again = await run(root, 'set', 'nofile', '4096', '--unit', 'y', '--type', 'soft', '--json');
    expect(again.code).toBe(0);
    const j = JSON.parse(again.stdout);
    expect(j).toMatchObject({ changed: false, files: [], diff: '', next: [], effective: { soft: 4096, hard: 65536, softFrom: { file: rel, line: 4 } } });
    expect(j.changes[0].status).toBe('unchanged');
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('a value the unit already gets from elsewhere (the unit file) is unchanged: nothing written', async () => {
    const root = copy('two-dropins');
    const before = snapshot(root);
    const r = await run(root, 'set', 'memlock', '65536', '--unit', 'x', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: false, changes: [{ status: 'unchanged' }], effective: { soft: 65536, softFrom: { file: 'etc/systemd/system/x.service', line: 8 } } });
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('--json: changes, files, diff, effective after, next; KiB written as bytes with a suffix', async () => {
    const root = copy('two-dropins');
    const r = await run(root, 'set', 'memlock', '131072', '--unit', 'x.service', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({
      changed: true, dryRun: false, unit: 'x.service', item: 'memlock', setting: 'LimitMEMLOCK', file: DROPIN,
      files: [{ path: DROPIN, created: true }], next: ['systemctl daemon-reload', 'systemctl restart x.service'],
      effective: { soft: 131072, hard: 131072, softFrom: { file: DROPIN, setting: 'LimitMEMLOCK' } }, blockers: [],
    });
    expect(j.changes[0]).toMatchObject({ status: 'changed' });
    expect(j.diff).toContain('+LimitMEMLOCK=128M');
    expect(read(root, DROPIN)).toContain('\nLimitMEMLOCK=128M\n');
  });

  it('--dry-run prints the diff and changes nothing; --check exits 1', async () => {
    const root = copy('two-dropins');
    const before = snapshot(root);
    const r = await run(root, 'set', 'nofile', '100000', '--unit', 'x', '-n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`+++ b/${DROPIN}`);
    expect(r.stdout).toContain('+LimitNOFILE=100000');
    expect(r.stdout).toContain('would change');
    const c = await run(root, 'set', 'nofile', '100000', '--unit', 'x', '--check');
    expect(c.code).toBe(1);
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('an existing drop-in: the assignment is replaced in place, the mode is kept, other lines stay', async () => {
    const root = copy('two-dropins');
    mkdirSync(path.dirname(path.join(root, DROPIN)), { recursive: true });
    writeFileSync(path.join(root, DROPIN), '# local\n[Service]\nLimitNOFILE=5000\nLimitCORE=0\n');
    chmodSync(path.join(root, DROPIN), 0o640);
    const r = await run(root, 'set', 'nofile', '6000', '--unit', 'x');
    expect(r.code, r.stderr).toBe(0);
    expect(read(root, DROPIN)).toBe('# local\n[Service]\nLimitNOFILE=6000\nLimitCORE=0\n');
    expect(statSync(path.join(root, DROPIN)).mode & 0o7777).toBe(0o640);
  });

  it('--backup keeps the old drop-in as limitsctl.conf.<time>.bak, which systemd does not read (not *.conf)', async () => {
    const root = copy('two-dropins');
    expect((await run(root, 'set', 'nofile', '5000', '--unit', 'x')).code).toBe(0);
    const r = await run(root, 'set', 'nofile', '6000', '--unit', 'x', '--backup', '--json');
    expect(r.code, r.stderr).toBe(0);
    const backup: string = JSON.parse(r.stdout).files[0].backup;
    expect(path.basename(backup)).toMatch(/^limitsctl\.conf\.\d{8}T\d{6}Z\.bak$/);
    expect(readFileSync(backup, 'utf8')).toContain('LimitNOFILE=5000\n');
    const g = await run(root, 'get', 'nofile', '--unit', 'x', '--json');
    expect(JSON.parse(g.stdout)).toMatchObject({ soft: 6000, hard: 6000, softFrom: { file: DROPIN } });
    expect(JSON.parse(g.stdout).files.dropins).not.toContain(path.relative(root, backup));
  });

  it('a later drop-in (override.conf sorts after limitsctl.conf) would override: exit 2 naming it, nothing changed; --file zz.conf works', async () => {
    const root = copy('two-dropins');
    writeFileSync(path.join(root, 'usr/lib/systemd/system/x.service.d/override.conf'), '[Service]\nLimitNOFILE=1000\n');
    const before = snapshot(root);
    for (const extra of [[], ['-n']]) {
      const r = await run(root, 'set', 'nofile', '4096', '--unit', 'x', ...extra);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('usr/lib/systemd/system/x.service.d/override.conf:2 LimitNOFILE= is applied after etc/systemd/system/x.service.d/limitsctl.conf');
      expect(r.stderr).toContain('--file');
    }
    expect(differences(before, snapshot(root))).toEqual([]);
    const z = await run(root, 'set', 'nofile', '4096', '--unit', 'x', '--file', 'zz.conf');
    expect(z.code, z.stderr).toBe(0);
    expect(read(root, 'etc/systemd/system/x.service.d/zz.conf')).toContain('\nLimitNOFILE=4096\n');
  });

  it('a drop-in of the same name in a directory systemd reads first masks ours: exit 2 naming it; --force writes with a warning', async () => {
    const root = copy('two-dropins');
    const ctl = 'etc/systemd/system.control/x.service.d/limitsctl.conf';
    mkdirSync(path.dirname(path.join(root, ctl)), { recursive: true });
    writeFileSync(path.join(root, ctl), '[Service]\nLimitNOFILE=777\n');
    const before = snapshot(root);
    const r = await run(root, 'set', 'nofile', '4096', '--unit', 'x');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${DROPIN} is masked by ${ctl}`);
    expect(differences(before, snapshot(root))).toEqual([]);
    const f = await run(root, 'set', 'nofile', '4096', '--unit', 'x', '--force', '--json');
    expect(f.code).toBe(0);
    const j = JSON.parse(f.stdout);
    expect(j.changed).toBe(true);
    expect(j.blockers).toHaveLength(1);
    expect(j.warnings.join(' ')).toContain('does not take effect');
  });

  it('usage errors exit 2 and change nothing (bytes, modes, mtimes of the whole tree)', async () => {
    const root = copy('two-dropins');
    const before = snapshot(root);
    const cases: string[][] = [
      ['set', 'nofile', '4096', '--unit', 'nope'],
      ['set', 'nofile', '10k', '--unit', 'x'],
      ['set', 'nofile', '4096', '--unit', 'x', '--user', 'root'],
      ['set', 'maxlogins', '4', '--unit', 'x'],
      ['set', 'nofile', '4096', '--unit', 'x', '--file', 'etc/security/limits.conf'],
      ['set', 'nofile', '4096', '--unit', 'x', '--file', 'etc/systemd/system/y.service.d/a.conf'],
      ['set', 'nofile', '4096', '--unit', 'x', '--file', 'limits.txt'],
      ['set', 'nofile', '4096', '--unit', 'x', '--type', 'middle'],
      ['set', 'nofile', '100000', '--unit', 'x', '--type', 'soft'], // above the hard 65536
      ['set', 'sigpending', '100', '--unit', 'x', '--type', 'hard'], // the soft sigpending is the machine's
      ['set', 'nofile', '4096', '--unit', 'x', '--comment', 'hi'],
      ['set', 'nofile', '4096', '--unit', 'x.target'],
      ['unset', 'nofile', '--unit', 'x', '--type', 'soft'],
      ['unset', 'nofile', '--unit', 'nope'],
    ];
    for (const c of cases) {
      const r = await run(root, ...c);
      expect([c.join(' '), r.code]).toEqual([c.join(' '), 2]);
    }
    expect(differences(before, snapshot(root))).toEqual([]);
  });

  it('a drop-in that would grow above the 1 MiB cap limitsctl reads drop-ins with: exit 2 (ETOOLARGE), nothing changed, dry run too', async () => {
    const root = copy('two-dropins');
    mkdirSync(path.dirname(path.join(root, DROPIN)), { recursive: true });
    const head = '[Service]\n';
    writeFileSync(path.join(root, DROPIN), `${head}${'#'.repeat(1024 * 1024 - head.length - 1)}\n`); // exactly 1 MiB
    const before = snapshot(root);
    for (const extra of [[], ['--dry-run'], ['--json']]) {
      const r = await run(root, 'set', 'nofile', '4096', '--unit', 'x', ...extra);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/limitsctl\.conf: its new content would be \d+ bytes, above limitsctl's 1048576-byte cap \(1 MiB\) for this file/);
      expect(differences(before, snapshot(root))).toEqual([]);
    }
  });

  it('a missing unit: exit 2 with the message of get --unit', async () => {
    const root = copy('two-dropins');
    const r = await run(root, 'set', 'nofile', '4096', '--unit', 'nope');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unit nope.service not found');
  });

  it('lowering a value says so (and --at-least does not lower)', async () => {
    const root = copy('two-dropins');
    const r = await run(root, 'set', 'nofile', '1024', '--unit', 'x');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('this lowers nofile for x.service: soft 16384 → 1024, hard 65536 → 1024');
    const a = await run(root, 'set', 'nofile', '2048', '--unit', 'x', '--at-least', '--json');
    expect(JSON.parse(a.stdout).effective).toMatchObject({ soft: 2048, hard: 2048 });
    const b = await run(root, 'set', 'nofile', '1000', '--unit', 'x', '--at-least', '--json');
    expect(JSON.parse(b.stdout).changed).toBe(false);
  });
});

describe('unset --unit', () => {
  it('removes the assignment and says what the unit then gets; a second run is unchanged', async () => {
    const root = copy('two-dropins');
    expect((await run(root, 'set', 'nofile', '4096', '--unit', 'x')).code).toBe(0);
    const r = await run(root, 'unset', 'nofile', '--unit', 'x', '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ changed: true, next: ['systemctl daemon-reload', 'systemctl restart x.service'], effective: { soft: 16384, hard: 65536, softFrom: { file: 'usr/lib/systemd/system/x.service.d/20-nofile.conf' } } });
    expect(read(root, DROPIN)).not.toContain('LimitNOFILE');
    const before = snapshot(root);
    const again = await run(root, 'unset', 'nofile', '--unit', 'x', '--json');
    expect(JSON.parse(again.stdout)).toMatchObject({ changed: false, next: [] });
    expect(differences(before, snapshot(root))).toEqual([]);
  });
});

const skip = analyzeSkipReason();
if (skip && process.env.LIMITSCTL_REQUIRE_REAL_MODULE === '1') throw new Error(`LIMITSCTL_REQUIRE_REAL_MODULE=1, but systemd's parser cannot be run: ${skip}`);
if (skip) console.warn(`skipping the systemd-analyze check of written drop-ins: ${skip}`);

describe.skipIf(skip !== null)('systemd 252 reads the written drop-in as the value asked for (systemd-analyze verify --root)', () => {
  it('every item, both halves, soft-only and infinity', async () => {
    const root = copy('two-dropins');
    // [item, value, type, expected setting, expected [soft, hard] in kernel units]
    const steps: [string, string, string, string, [bigint, bigint]][] = [
      ['nofile', '4096', 'hard', 'LimitNOFILE', [4096n, 4096n]],
      ['nofile', '2048', 'soft', 'LimitNOFILE', [2048n, 4096n]],
      ['memlock', '65537', 'both', 'LimitMEMLOCK', [65537n * 1024n, 65537n * 1024n]],
      ['stack', '8192', 'soft', 'LimitSTACK', [8n << 20n, RLIM_INFINITY]],
      ['cpu', '3', 'both', 'LimitCPU', [180n, 180n]],
      ['core', 'unlimited', 'both', 'LimitCORE', [RLIM_INFINITY, RLIM_INFINITY]],
      ['nice', '-7', 'hard', 'LimitNICE', [0n, 27n]],
      ['rttime', '2500', 'both', 'LimitRTTIME', [2500n, 2500n]],
      ['as', '3145728', 'both', 'LimitAS', [3n << 30n, 3n << 30n]],
      ['msgqueue', '1024', 'both', 'LimitMSGQUEUE', [1024n, 1024n]], // bytes in limits.conf too
      ['nproc', '512', 'both', 'LimitNPROC', [512n, 512n]],
      ['rtprio', '10', 'both', 'LimitRTPRIO', [10n, 10n]],
    ];
    for (const [item, value, type] of steps) {
      const r = await run(root, 'set', item, value, '--type', type, '--unit', 'x');
      expect([item, r.code, r.stderr]).toEqual([item, 0, expect.any(String)]);
    }
    const sd = analyzeUnits(root, ['x.service']).get('x.service');
    expect(sd, 'systemd-analyze dumped no x.service').toBeDefined();
    expect(sd!.dropins).toContain(DROPIN);
    const seen = new Map<string, [bigint, bigint]>();
    for (const [, , , setting, want] of steps) seen.set(setting, want);
    for (const [setting, want] of seen) expect([setting, sd!.limits.get(setting)]).toEqual([setting, want]);
  });
});

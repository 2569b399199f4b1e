/**
 * limitsctl's reading of unit files agrees with systemd 252's own parser (systemd-analyze verify
 * --root, see systemd-analyze.ts): the unit file and drop-ins chosen, and the soft/hard of every
 * Limit*= value in a matrix of the grammar's corners (systemd.exec(5) "PROCESS PROPERTIES").
 * Skips when systemd-analyze 252 is not installed; fails instead under
 * LIMITSCTL_REQUIRE_REAL_MODULE=1 (CI installs systemd, .ci/run).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { limitSettingByKey } from '../../src/core/systemd/limits.js';
import { loadUnitLimits } from '../../src/io/systemd.js';
import { analyzeSkipReason, analyzeUnits, catConfigFiles } from './systemd-analyze.js';

const skip = analyzeSkipReason();
if (skip && process.env.LIMITSCTL_REQUIRE_REAL_MODULE === '1') throw new Error(`LIMITSCTL_REQUIRE_REAL_MODULE=1, but systemd's parser cannot be run: ${skip}`);
if (skip) console.warn(`skipping systemd agreement tests: ${skip}`);

const FIXTURE = path.resolve(__dirname, '../../fixtures/systemd/two-dropins');

/** Values per setting: plain, soft:hard, infinity, suffixes, fractions, whitespace, junk, soft > hard, empty. */
const CASES: Record<string, string[]> = {
  LimitNOFILE: ['4096', '1024:4096', 'infinity', '10:infinity', 'infinity:10', '16384: 65536', '16384 :65536', ' 7', '0x10', '+5', '5k', '', '-1', '1e3', '18446744073709551614', '18446744073709551615', '99999999999999999999', '3:2', '0', '010', '0X1f', '+0x10', '09'],
  LimitMEMLOCK: ['8M', '1.5M', '1.5', '4G:16G', '64K', '64k', '100B', '1E', '16E', '0.5K', '8 M', 'infinity', '8M:infinity', '1T', '1P', 'M', '.5K', '1.25G', '7.3K'],
  LimitCPU: ['90', '1min 30s', '1.5', '1.5min', '2h', '500ms', '1us', 'infinity', '1d', '1w', '1M', '1y', '10:20', '1min30s', '5 min', '1 h 1 s', '0', '1x', 's'],
  LimitRTTIME: ['2ms', '100', '1s', '1.5ms', 'infinity', '3min', '1.5', '10:5', '0.5us'],
  LimitNICE: ['-5', '+5', '0', '40', '41', '-20', '19', '20', '-21', '+19:-20', '-20:+19', '5', '+0', '-0'],
  LimitSTACK: ['8M:infinity', 'infinity:8M'],
  LimitRTPRIO: ['99', '100', '1:99'],
};

const tmp: string[] = [];
afterAll(() => { for (const t of tmp) rmSync(t, { recursive: true, force: true }); });

describe.skipIf(skip !== null)("agreement with systemd 252's parser (systemd-analyze verify --root)", () => {
  it('the issue 13 fixture: unit file and drop-ins chosen, LimitNOFILE soft/hard', () => {
    const sd = analyzeUnits(FIXTURE, ['x.service']).get('x.service');
    expect(sd, 'systemd-analyze dumped no x.service').toBeDefined();
    const ours = loadUnitLimits(FIXTURE, 'x');
    if (!ours.ok) throw new Error(ours.message);
    expect(ours.fragment).toBe(sd!.fragment);
    expect(ours.dropins).toEqual(sd!.dropins);
    for (const [setting, [soft, hard]] of sd!.limits) {
      const item = limitSettingByKey(setting)!.item;
      expect([setting, ours.limits.limits[item].soft, ours.limits.limits[item].hard]).toEqual([setting, soft, hard]);
    }
    // the case of the issue: nofile from the second drop-in (the continued line), over the unit, the first drop-in and DefaultLimitNOFILE
    expect(sd!.limits.get('LimitNOFILE')).toEqual([16384n, 65536n]);
  });

  it('the manager files and their order match systemd-analyze cat-config', () => {
    const ours = loadUnitLimits(FIXTURE, 'x');
    if (!ours.ok) throw new Error(ours.message);
    expect(ours.manager).toEqual(catConfigFiles(FIXTURE));
  });

  it(`every value of the grammar matrix (${Object.values(CASES).flat().length} values) reads as systemd reads it`, () => {
    const root = mkdtempSync(path.join(tmpdir(), 'limitsctl-sd-'));
    tmp.push(root);
    const dir = path.join(root, 'etc/systemd/system');
    mkdirSync(dir, { recursive: true });
    const units: { name: string; setting: string; value: string }[] = [];
    for (const [setting, values] of Object.entries(CASES)) {
      values.forEach((value) => {
        const name = `c${units.length}.service`;
        units.push({ name, setting, value });
        writeFileSync(path.join(dir, name), `[Service]\nExecStart=/bin/true\n${setting}=${value}\n`);
      });
    }
    const sd = analyzeUnits(root, units.map((u) => u.name));
    const disagreements: string[] = [];
    for (const u of units) {
      const s = sd.get(u.name);
      if (!s) {
        disagreements.push(`${u.name}: not in systemd's dump`);
        continue;
      }
      const theirs = s.limits.get(u.setting) ?? null;
      const ours = loadUnitLimits(root, u.name);
      if (!ours.ok) throw new Error(ours.message);
      const l = ours.limits.limits[limitSettingByKey(u.setting)!.item];
      const mine = l.from.kind === 'unit' ? [l.soft, l.hard] : null;
      if (JSON.stringify(mine?.map(String) ?? null) !== JSON.stringify(theirs?.map(String) ?? null)) {
        disagreements.push(`${u.setting}=${JSON.stringify(u.value)}: systemd ${theirs ? theirs.join(':') : 'ignores it'}, limitsctl ${mine ? mine.join(':') : 'ignores it'}`);
      }
    }
    expect(disagreements).toEqual([]);
  });
});

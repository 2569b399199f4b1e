/**
 * One /proc/PID/limits parser: doctor's nprocOf (src/core/doctor/parse.ts, used by src/io/live.ts)
 * hands the header and the "Max processes" rows to parseProcLimits (src/core/resolve.ts) and must
 * read exactly what that parser reads from the whole file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nprocOf } from '../../src/core/doctor.js';
import { parseProcLimits } from '../../src/core/resolve.js';
import { limitsText } from '../../fixtures/doctor/generate.mjs';

const whole = (text: string) => parseProcLimits(text).nproc ?? null;

describe('nprocOf reads what parseProcLimits reads', () => {
  it('on generated and edge-case texts', () => {
    const header = limitsText().split('\n')[0]!;
    const row = limitsText(['77', 'unlimited']).split('\n').find((l) => l.startsWith('Max processes'))!;
    const texts = [
      limitsText(), limitsText(['0', '0']), limitsText(['4096', 'unlimited']), limitsText(['18446744073709551615', '1']),
      '', '\n', 'Limit Soft Hard Units\n', `${header}\n`, `${row}\n`, `${row}\n${header}\n${row.replace('77', '78')}\n`,
      `${header}\n${row}`, `${header}\r\n${row}\r\n`, `junk\n${header}\n${row}\nMax processes x\n`, 'Max processes 5 6\n',
      limitsText().replace(/\n/g, '\n\n'), limitsText().slice(0, 700),
    ];
    for (const t of texts) expect(nprocOf(t), JSON.stringify(t.slice(0, 60))).toEqual(whole(t));
  });

  it.skipIf(process.platform !== 'linux')('on every readable /proc/PID/limits of this machine', () => {
    let n = 0;
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let text: string;
      try { text = readFileSync(`/proc/${pid}/limits`, 'latin1'); } catch { continue; }
      expect(nprocOf(text), `/proc/${pid}/limits`).toEqual(whole(text));
      if (text !== '') n++;
    }
    expect(n).toBeGreaterThan(0);
  });
});

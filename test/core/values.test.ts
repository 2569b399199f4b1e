import { describe, expect, it } from 'vitest';
import { itemInfo, RLIM_INFINITY } from '../../src/core/schema.js';
import { parseValue } from '../../src/core/values.js';

const v = (item: string, value: string) => parseValue(itemInfo(item)!, value);

describe('values exactly as pam_limits computes them (docs/pam_limits-semantics.md, Values)', () => {
  it('unlimited keywords for rlimits and maxlogins, not for nice/priority', () => {
    for (const k of ['unlimited', 'infinity', '-1', '-']) {
      expect(v('nofile', k).kernel).toBe(RLIM_INFINITY);
      expect(v('maxlogins', k).number).toBe(-1n);
    }
    expect(v('nice', 'unlimited').ok).toBe(false);
    expect(v('priority', 'infinity').ok).toBe(false);
    expect(v('nice', '-1').number).toBe(-1n);
  });

  it('strtoull with trailing junk, signs and wrapping', () => {
    expect(v('nproc', '10k')).toMatchObject({ number: 10n, notes: ['trailing-junk'] });
    expect(v('nproc', '0x10')).toMatchObject({ number: 0n, notes: ['hex-not-read'] });
    expect(v('nproc', '+5')).toMatchObject({ number: 5n });
    expect(v('nproc', '-5').number).toBe(2n ** 64n - 5n);
    expect(v('nproc', '-2').number).toBe(18446744073709551614n);
    expect(v('nproc', '-01').kernel).toBe(RLIM_INFINITY);
    expect(v('nproc', '99999999999999999999999').kernel).toBe(RLIM_INFINITY);
    expect(v('nproc', 'abc').ok).toBe(false);
    expect(v('nproc', '01024')).toMatchObject({ number: 1024n, notes: ['leading-zeros'] });
  });

  it('KiB and minute conversions saturate at the documented thresholds', () => {
    expect(v('cpu', '5').kernel).toBe(300n);
    expect(v('core', '4').kernel).toBe(4096n);
    expect(v('msgqueue', '8').kernel).toBe(8n);
    expect(v('cpu', '307445734561825859').kernel).toBe(18446744073709551540n);
    expect(v('cpu', '307445734561825860').kernel).toBe(RLIM_INFINITY);
    expect(v('fsize', '18014398509481982').kernel).toBe(18446744073709549568n);
    expect(v('data', '18014398509481983').kernel).toBe(RLIM_INFINITY);
    expect(v('fsize', '-5').kernel).toBe(RLIM_INFINITY);
  });

  it('nice is clamped to -20..19 and stored as 20 - n', () => {
    expect(v('nice', '-5').kernel).toBe(25n);
    expect(v('nice', '30').kernel).toBe(1n);
    expect(v('nice', '-100').kernel).toBe(40n);
    expect(v('nice', '-1').kernel).toBe(21n);
    expect(v('nice', '0').kernel).toBe(20n);
    expect(v('nice', '0x7')).toMatchObject({ ok: true, number: 0n });
  });

  it('priority passes through; maxlogins is an int; nonewprivs other than 0/1 is stored as 0', () => {
    expect(v('priority', '100').number).toBe(100n);
    expect(v('priority', '5abc').number).toBe(5n);
    expect(v('maxlogins', '4').number).toBe(4n);
    expect(v('maxlogins', '99999999999').number).toBe(2147483647n);
    expect(v('nonewprivs', '1').number).toBe(1n);
    expect(v('nonewprivs', 'yes')).toMatchObject({ ok: true, number: 0n, notes: ['not-a-flag'] });
  });
});

import { describe, expect, it } from 'vitest';
import type { EntryReading, Reading } from '../../src/core/model.js';
import { parseLimits } from '../../src/core/parse.js';
import type { Profile } from '../../src/core/schema.js';

const readings = (text: string, profile: Profile = 'debian-12'): Reading[] =>
  parseLimits(Buffer.from(text, 'latin1'), { profile }).lines.flatMap((l) => [...l.readings]);
const one = (text: string, profile: Profile = 'debian-12'): Reading => {
  const r = readings(text, profile).filter((x) => x.kind !== 'blank');
  expect(r).toHaveLength(1);
  return r[0]!;
};
const entry = (text: string, profile: Profile = 'debian-12'): EntryReading => {
  const r = one(text, profile);
  expect(r.kind).toBe('entry');
  return r as EntryReading;
};

describe('line classification (docs/pam_limits-semantics.md, Lines)', () => {
  it('blank, whitespace-only, CRLF-only and comment lines are skipped', () => {
    expect(readings('\n   \t\n\r\n').every((r) => r.kind === 'blank')).toBe(true);
    expect(one('  # a comment\n').kind).toBe('comment');
  });

  it('a 4-field line is an entry with raw spans and the normalised reading', () => {
    const text = '  alice\tSOFT  NOFILE 4096 # inline\n';
    const e = entry(text);
    expect(e.domain).toEqual({ start: 2, end: 7, raw: 'alice' });
    expect(text.slice(e.value.start, e.value.end)).toBe('4096');
    expect([e.typeText, e.itemText, e.valueText]).toEqual(['soft', 'nofile', '4096']);
    expect(e.limitType).toBe('soft');
    expect(e.parsedValue?.number).toBe(4096n);
    expect(e.comment && text.slice(e.comment.start, e.comment.end)).toBe('# inline');
    expect(e.problem).toBeNull();
  });

  it('the comment starts at the first # anywhere, with no quoting', () => {
    expect(entry('alice soft nofile 50#x').valueText).toBe('50');
    const r = one('ali#ce soft core 5');
    expect(r.kind).toBe('invalid');
    expect(r.kind === 'invalid' && r.problem.code).toBe('too-few-fields');
  });

  it('the domain keeps its case; type, item and value are lower-cased', () => {
    const e = entry('ALICE Hard NPROC UNLIMITED');
    expect(e.domain.raw).toBe('ALICE');
    expect(e.domainSpec.text).toBe('ALICE');
    expect(e.parsedValue?.keyword).toBe('unlimited');
  });

  it('1 and 3 fields, and 2 fields without a leading "-", are invalid lines', () => {
    for (const t of ['alice', 'alice soft nofile', 'alice soft']) {
      const r = one(t);
      expect(r.kind === 'invalid' && r.problem.code).toBe('too-few-fields');
    }
  });

  it('2 fields with a type starting with "-" is the no-limit line ("-", "--", "-x")', () => {
    for (const t of ['alice -', '@wheel --', '*\t-x']) expect(one(t).kind).toBe('nolimit');
  });

  it('an invalid uid range skips the line whatever its field count', () => {
    for (const t of ['abc: soft nofile 1', '1000:2000:3000 - nproc 5', '@: -', '0x10: hard core 0']) {
      const r = one(t);
      expect(r.kind === 'invalid' || r.kind === 'entry' || r.kind === 'nolimit').toBe(true);
      expect((r as { problem: { code: string } | null }).problem?.code).toBe('invalid-range');
    }
  });

  it('unknown type, unknown item, wrong value and % domains carry pam_limits\' reason', () => {
    expect(entry('alice both nofile 1').problem?.code).toBe('unknown-type');
    expect(entry('alice soft npoc 1').problem?.code).toBe('unknown-item');
    expect(entry('alice soft nofile abc').problem?.code).toBe('wrong-value');
    expect(entry('%admins soft nofile 10').problem?.code).toBe('percent-domain');
    expect(entry('%admins - maxlogins 10').problem).toBeNull();
    expect(entry('% - maxsyslogins 10').problem?.code).toBe('percent-domain');
    // maxlogins, maxsyslogins and nonewprivs do not check the type
    expect(entry('alice whatever maxlogins 0').problem).toBeNull();
    expect(entry('alice nope nonewprivs 1').problem).toBeNull();
    // priority and chroot do
    expect(entry('alice nope priority 1').problem?.code).toBe('unknown-type');
  });

  it('5 and more fields: 1.5.2 ignores them, 1.7 makes them part of the value', () => {
    const e = entry('alice soft nofile 100 200');
    expect(e.parsedValue?.number).toBe(100n);
    expect(e.extra.map((f) => f.raw)).toEqual(['200']);
    const e17 = entry('alice soft nofile 100 200', 'linux-pam-1.7.2');
    expect(e17.value.raw).toBe('100 200');
    expect(e17.parsedValue?.number).toBe(100n);
    expect(e17.parsedValue?.notes).toContain('trailing-junk');
    // unlimited junk: applied by 1.5.2, rejected by 1.7
    expect(entry('alice soft nofile unlimited junk').parsedValue?.keyword).toBe('unlimited');
    expect(entry('alice soft nofile unlimited junk', 'linux-pam-1.7.2').problem?.code).toBe('wrong-value');
  });
});

describe('profile differences (docs/pam_limits-semantics.md, Profiles: line reading, fields, CRLF) are recorded on the line', () => {
  const line = (text: string, profile: Profile = 'debian-12') => parseLimits(Buffer.from(text, 'latin1'), { profile }).lines[0]!;

  it('\\v, \\f and \\r separate fields only in 1.5.2', () => {
    const l = line('alice\vsoft\vnofile\v124\n');
    expect(l.readings[0]!.kind).toBe('entry');
    expect(l.other?.profile).toBe('linux-pam-1.7.2');
    expect(l.other?.readings[0]!.kind).toBe('invalid');
    const l17 = line('alice\vsoft\vnofile\v124\n', 'linux-pam-1.7.2');
    expect(l17.readings[0]!.kind).toBe('invalid');
    expect(l17.other?.readings[0]!.kind).toBe('entry');
  });

  it('CRLF: keywords survive in 1.5.2, are rejected in 1.7; numbers and -1 work in both', () => {
    for (const kw of ['unlimited', 'infinity', '-']) {
      const l = line(`alice soft nofile ${kw}\r\n`);
      expect((l.readings[0] as EntryReading).problem).toBeNull();
      expect((l.other?.readings[0] as EntryReading).problem?.code).toBe('wrong-value');
    }
    expect(line('alice soft nofile 10\r\n').other).toBeUndefined();
    expect(line('alice soft nofile -1\r\n').other).toBeUndefined();
    // nonewprivs 1\r is stored as 0 by 1.7
    const np = line('alice - nonewprivs 1\r\n');
    expect((np.readings[0] as EntryReading).parsedValue?.number).toBe(1n);
    expect((np.other?.readings[0] as EntryReading).parsedValue?.number).toBe(0n);
  });

  it('a long comment leaks config in 1.5.2 (1023-byte chunks) but not in 1.7', () => {
    const l = line(`#${'x'.repeat(1022)}alice soft nofile 66\n`);
    expect(l.readings.map((r) => r.kind)).toEqual(['comment', 'entry']);
    expect((l.readings[1] as EntryReading).parsedValue?.number).toBe(66n);
    expect(l.other?.readings.map((r) => r.kind)).toEqual(['comment']);
  });

  it('a value starting after byte 1023 splits a valid line into two invalid ones in 1.5.2', () => {
    const l = line(`alice soft nofile${' '.repeat(1100)}5\n`);
    expect(l.readings.map((r) => r.kind)).toEqual(['invalid', 'invalid']);
    expect(l.other?.readings[0]!.kind).toBe('entry');
  });

  it('1100 spaces of indentation before a valid line still work (chunk 1 is blank)', () => {
    const l = line(`${' '.repeat(1100)}alice soft nofile 5\n`);
    expect(l.readings.map((r) => r.kind)).toEqual(['blank', 'entry']);
    expect(l.other).toBeUndefined();
  });

  it('exactly 1023 bytes of content plus newline: the newline is a blank second chunk', () => {
    const content = `alice soft nofile 5${' '.repeat(1023 - 19)}`;
    expect(content.length).toBe(1023);
    expect(line(`${content}\n`).readings.map((r) => r.kind)).toEqual(['entry', 'blank']);
    expect(line(`${content.slice(1)}\n`).readings.map((r) => r.kind)).toEqual(['entry']);
  });

  it('rttime is an item only for upstream-1.7; chroot only for debian', () => {
    expect(entry('alice soft rttime 5').problem?.code).toBe('unknown-item');
    expect(entry('alice soft rttime 5', 'linux-pam-1.7.2').problem).toBeNull();
    expect(entry('ftp - chroot /FTP').parsedValue?.path).toBe('/ftp');
    expect(entry('ftp - chroot /ftp', 'linux-pam-1.5.2').problem?.code).toBe('unknown-item');
  });

  it('a NUL byte ends the line for pam_limits (C strings)', () => {
    const e = entry('alice soft nofile 5\u0000 junk');
    expect(e.value.raw).toBe('5');
  });
});

describe('domains (docs/pam_limits-semantics.md, Domains and ranks; pam_limits.c 1.5.2 parse_uid_range)', () => {
  const kind = (d: string) => entry(`${d} soft nofile 1`).domainSpec;
  it('parses every domain form', () => {
    expect(kind('alice').kind).toBe('user');
    expect(kind('1000').kind).toBe('user'); // a bare number is a user *named* 1000
    expect(kind('*').kind).toBe('wildcard');
    expect(kind(':1000')).toMatchObject({ kind: 'uid', range: { form: 'one', min: 1000 } });
    expect(kind('1000:2000')).toMatchObject({ kind: 'uid-range', range: { form: 'minmax', min: 1000, max: 2000 } });
    expect(kind('1000:')).toMatchObject({ kind: 'uid-range', range: { form: 'min', min: 1000 } });
    expect(kind('@wheel')).toMatchObject({ kind: 'group', group: 'wheel' });
    expect(kind('@:10')).toMatchObject({ kind: 'gid', range: { form: 'one', min: 10 } });
    expect(kind('@100:200')).toMatchObject({ kind: 'gid-range' });
    expect(kind('%')).toMatchObject({ kind: 'percent-all' });
    expect(kind('%staff')).toMatchObject({ kind: 'percent-group' });
    expect(kind('%:5')).toMatchObject({ kind: 'percent-gid' });
  });
  it('copies strtoul: signs accepted, -1 becomes 4294967295, values wrap mod 2^32, ERANGE is an error', () => {
    expect(kind('-1:').range).toEqual({ form: 'min', min: 4294967295 });
    expect(kind('1000:-1').range).toEqual({ form: 'minmax', min: 1000, max: 4294967295 });
    expect(kind('4294967296:').range).toEqual({ form: 'min', min: 0 });
    expect(kind('+5:').range).toEqual({ form: 'min', min: 5 });
    expect(kind('99999999999999999999:').kind).toBe('invalid');
    expect(kind(':').kind).toBe('invalid');
    expect(kind('%:').kind).toBe('invalid');
    expect(kind(':abc').kind).toBe('invalid');
    expect(kind('*:').kind).toBe('invalid');
    expect(kind('2000:1000').range).toEqual({ form: 'minmax', min: 2000, max: 1000 });
  });
});

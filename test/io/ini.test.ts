/**
 * The ini files limitsctl reads (policies for `apply`, `.limitsctl.ini`): what the `ini` package
 * would silently change is refused with a message naming the file, the line and the key.
 */
import { describe, expect, it } from 'vitest';
import { parsePolicy, PolicyError } from '../../src/io/policy.js';
import { NR_OPEN_MAX, parseSettings, SettingsError } from '../../src/io/settings.js';

const F = '/repo/.limitsctl.ini';
const P = 'policy.ini';

async function policyError(text: string): Promise<string> {
  try {
    await parsePolicy(text, P);
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyError);
    return (e as Error).message;
  }
  throw new Error(`policy accepted: ${JSON.stringify(text)}`);
}

function settingsError(text: string): string {
  try {
    parseSettings(text, F);
  } catch (e) {
    expect(e).toBeInstanceOf(SettingsError);
    return (e as Error).message;
  }
  throw new Error(`settings accepted: ${JSON.stringify(text)}`);
}

describe('policy ini', () => {
  it('refuses a [__proto__] section instead of dropping it', async () => {
    expect(await policyError('[__proto__]\nnproc = 5\n')).toMatch(/^policy\.ini:1: \[__proto__\]: a section named __proto__/);
  });

  it('refuses [*] and [ * ]: the same section once ini trims it', async () => {
    expect(await policyError('[*]\nnproc = 5\n[ * ]\nnofile = 6\n')).toMatch(/^policy\.ini:3: \[ \* \] repeats the section \[\*\] of line 1 \(ini trims spaces/);
    expect(await policyError('[admin]\nnproc = 5\n[admin]\nnofile = 6\n')).toMatch(/repeats the section \[admin\] of line 1/);
  });

  it("refuses [a#b] and [a;b] instead of writing domain 'a'", async () => {
    expect(await policyError('[a#b]\nnproc = 5\n')).toMatch(/^policy\.ini:1: \[a#b\]: '#' starts a comment inside an ini section name, so this section would be read as \[a\]/);
    expect(await policyError('[a;b]\nnproc = 5\n')).toMatch(/';' starts a comment/);
  });

  it('refuses a key given twice instead of keeping the last', async () => {
    expect(await policyError('[admin]\nnproc = 5\nnproc = 6\n')).toMatch(/^policy\.ini:3: \[admin\] 'nproc' is set twice \(lines 2 and 3\)/);
  });

  it('skips a UTF-8 byte order mark', async () => {
    const p = await parsePolicy('\uFEFF[admin]\nnproc = 5\n', P);
    expect(p.domains).toEqual(['admin']);
    expect(p.requests).toEqual([{ op: 'set', domain: 'admin', item: 'nproc', value: '5', type: 'both' }]);
  });

  it('keeps a dotted domain whole ([john.doe] is a user, not a nesting) and non-ASCII domains as text', async () => {
    const p = await parsePolicy('[john.doe]\nnproc = 5\n[josé]\nnofile.soft = 100\n', P);
    expect(p.domains).toEqual(['john.doe', 'josé']);
    expect(p.requests.map((r) => r.domain)).toEqual(['john.doe', 'josé']);
  });

  it("a dotted section with $& or $' stays the domain written, not a replacement pattern", async () => {
    for (const domain of ['a.$&', "a.$'x", 'a.$`', 'a.$$']) {
      const p = await parsePolicy(`[${domain}]\nnproc = 5\n`, P).catch((e: unknown) => e);
      // either refused as a domain, or read as exactly that domain — never another one
      if (p instanceof PolicyError) continue;
      expect((p as Awaited<ReturnType<typeof parsePolicy>>).requests.map((r) => r.domain)).toEqual([domain]);
    }
  });
});

describe('.limitsctl.ini', () => {
  it('ignore[] = [z-a] or {a,b: a clear error naming the file and key, not a stack trace', () => {
    expect(settingsError('ignore[] = [z-a]\n')).toMatch(/^\/repo\/\.limitsctl\.ini: ignore\[\] = \[z-a\]: not a usable glob pattern/);
    expect(settingsError('ignore[] = {a,b\n')).toMatch(/ignore\[\] = \{a,b: not a usable glob pattern/);
  });

  it('nr-open = 0 is refused with the range fs.nr_open accepts', () => {
    expect(settingsError('nr-open = 0\n')).toMatch(/nr-open = 0: must be a whole number from 64 to 2147483584/);
    expect(settingsError(`nr-open = ${NR_OPEN_MAX + 1n}\n`)).toMatch(/from 64 to 2147483584/);
    expect(parseSettings('nr-open = 64\n', F).nrOpen).toBe(64n);
    expect(parseSettings('nr-open = 1048576\n', F).nrOpen).toBe(1048576n);
  });

  it('a UTF-8 BOM is skipped', () => {
    expect(parseSettings('\uFEFFprofile = debian\n', F).profile).toBe('debian-12');
    expect(parseSettings('\uFEFF[rules]\nLC203 = off\n', F).severities.get('LC203')).toBe('off');
  });

  it('__proto__ and repeated sections are refused', () => {
    expect(settingsError('[__proto__]\nx = 1\n')).toMatch(/__proto__/);
    expect(settingsError('[rules]\nLC203 = off\n[ rules ]\nLC202 = off\n')).toMatch(/repeats the section \[rules\]/);
  });
});

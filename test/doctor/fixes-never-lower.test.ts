/**
 * doctor's advice never lowers a configured limit: every `limitsctl set ITEM VALUE --user U`
 * that doctor suggests for any fixture tree (committed or generated), for any account its
 * expect.json names, is compared with what pam_limits gives U's new sessions there (resolveLimits
 * on the tree, as doctor computes it): for each half the command writes (`--type`, default both),
 * the value must not be below the configured one (unlimited is the highest). Then a fixture where
 * the configuration is already `unlimited` and an old session is exhausted gets "already allows
 * more", not a set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RLIM_INFINITY } from '../../src/core/schema.js';
import { SCENARIOS } from '../../fixtures/doctor/generate.mjs';
import { doctorFacts, FIX, type ItemRun, itemFlags, scenario } from './helpers.js';
import { diagnose } from '../../src/core/doctor.js';

const cleanups: Array<() => void> = [];
afterAll(() => { for (const c of cleanups) c(); });

function trees(): Array<{ name: string; root: string }> {
  const out = readdirSync(FIX, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => ({ name: e.name, root: path.join(FIX, e.name) }));
  for (const name of Object.keys(SCENARIOS)) {
    const s = scenario(name);
    cleanups.push(s.cleanup);
    out.push({ name: `${name} (generated)`, root: s.root });
  }
  return out;
}

/** A limit value as `set` takes it, in kernel units for nproc (a count): bigint, RLIM_INFINITY for unlimited. */
function valueOf(v: string): bigint {
  return /^(unlimited|infinity|-1)$/i.test(v) ? RLIM_INFINITY : BigInt(v);
}

const SET = /^limitsctl set (\S+) (\S+) --user (\S+)(.*)$/;

describe('no fix doctor suggests lowers a configured value', () => {
  const all = trees();
  let checked = 0;
  for (const { name, root } of all) {
    it(`${name}: every suggested limitsctl set raises or keeps each half it writes`, () => {
      const users = Object.keys((JSON.parse(readFileSync(path.join(root, 'expect.json'), 'utf8')) as { findings: Record<string, string[]> }).findings);
      for (const user of users) {
        const facts = doctorFacts(root, user);
        const r = diagnose(facts);
        for (const f of r.findings) {
          for (const x of f.fixes) {
            const m = x.command?.match(SET);
            if (!m) continue;
            const [, item, value, who, rest] = m;
            expect(who, x.command).toBe(user);
            const type = rest!.match(/--type (\S+)/)?.[1] ?? 'both';
            const res = facts.resolution!;
            const rl = res.rlimits[item as keyof typeof res.rlimits];
            expect(rl, `${item} is an rlimit item`).toBeDefined();
            // what a new session gets: what pam_limits applies, else the value it starts from
            const conf = { soft: rl.applied?.soft ?? rl.soft.value, hard: rl.applied?.hard ?? rl.hard.value };
            const v = valueOf(value!);
            for (const half of type === 'both' ? ['soft', 'hard'] as const : [type as 'soft' | 'hard']) {
              const have = conf[half];
              if (have === null) continue; // inherited and unknown: nothing configured to lower
              expect(v >= have, `${name} --user ${user}: '${x.command}' writes ${half} ${value} below the configured ${have === RLIM_INFINITY ? 'unlimited' : have}`).toBe(true);
            }
            checked++;
          }
        }
      }
    });
  }
  it('the sweep saw suggested set commands (it can fail)', () => {
    expect(checked).toBeGreaterThan(0);
  });
});

const UNIT_SET = /^limitsctl set (\S+) (\S+) --unit (\S+)(.*)$/;

describe('doctor --item: no suggested set lowers what pam_limits or systemd configures', () => {
  let checked = 0;
  for (const { name, root } of trees()) {
    const runs = (JSON.parse(readFileSync(path.join(root, 'expect.json'), 'utf8')) as { items?: ItemRun[] }).items ?? [];
    if (runs.length === 0) continue;
    it(`${name}: every --item run`, () => {
      for (const run of runs) {
        const facts = doctorFacts(root, null, {}, run);
        const it = facts.item!;
        for (const x of diagnose(facts).findings.flatMap((f) => f.fixes)) {
          const cmd = x.command ?? '';
          const u = cmd.match(UNIT_SET);
          const p = cmd.match(SET);
          if (!u && !p) continue;
          const [, item, value, who, rest] = (u ?? p)!;
          // the fixtures' item runs are counts (nofile, nproc): the value is in kernel units
          expect(['nofile', 'nproc'], cmd).toContain(item);
          const type = rest!.match(/--type (\S+)/)?.[1] ?? 'both';
          let conf: { soft: bigint | null; hard: bigint | null };
          if (u) {
            const uc = it.units.find((c) => c.unit === who || c.unit === `${who}.service`);
            expect(uc?.ok, `${itemFlags(run)}: ${cmd} names a unit doctor read`).toBe(true);
            conf = uc!.ok ? { soft: uc!.limit.soft, hard: uc!.limit.hard } : { soft: null, hard: null };
          } else {
            const res = it.resolutions.map((r) => r.resolution).find((r) => r.identity.name === who) ?? facts.resolution!;
            const rl = res.rlimits[item as 'nofile'];
            conf = { soft: rl.applied?.soft ?? rl.soft.value, hard: rl.applied?.hard ?? rl.hard.value };
          }
          const v = valueOf(value!);
          for (const half of type === 'both' ? ['soft', 'hard'] as const : [type as 'soft' | 'hard']) {
            const have = conf[half];
            if (have === null) continue;
            expect(v >= have, `${name} ${itemFlags(run)}: '${cmd}' writes ${half} ${value} below the configured ${have}`).toBe(true);
          }
          checked++;
        }
      }
    });
  }
  it('the sweep saw suggested set --unit commands (it can fail)', () => {
    expect(checked).toBeGreaterThan(0);
  });
});

describe('old-session-unlimited: the configuration already allows more', () => {
  it('says so and offers a new session or prlimit --pid, never limitsctl set', () => {
    const s = scenario('old-session-unlimited');
    cleanups.push(s.cleanup);
    const r = diagnose(doctorFacts(s.root, 'admin'));
    expect(r.nproc.configured).toMatchObject({ soft: RLIM_INFINITY, hard: RLIM_INFINITY });
    const f = r.findings.find((x) => x.id === 'nproc-exhausted')!;
    expect(f.severity).toBe('critical');
    const text = f.fixes.map((x) => `${x.description} ${x.command ?? ''}`).join('\n');
    expect(text).toMatch(/The configuration already allows more \(soft nproc unlimited, etc\/security\/limits\.d\/95-admin\.conf:1 admin\): start a new session/);
    expect(text).toMatch(/prlimit --pid 1201 --nproc=unlimited:unlimited/);
    expect(r.findings.flatMap((x) => x.fixes).some((x) => x.command?.startsWith('limitsctl set'))).toBe(false);
  });
});

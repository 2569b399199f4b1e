/**
 * Every finding and every fix on the fixture trees and the real-world corpus stays what it was
 * when golden.json was written (test/lint/golden/collect.ts says what is recorded and how to
 * write it again). The only differences allowed are listed in ALLOWED, each with its reason.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collectCorpus, collectFixtures, CORPUS, corpusFiles, GOLDEN, type Golden } from './collect.js';

/**
 * Differences from golden.json that are corrections of what it recorded: key → the lines that
 * appear now (`+ …`) or are gone (`- …`), matched by prefix, and why.
 */
const ALLOWED: ReadonlyArray<{ key: RegExp; line: RegExp; why: string }> = [];

const write = process.env.LIMITSCTL_GOLDEN_WRITE === '1';
const corpus = corpusFiles();
if (corpus.length === 0) console.warn(`golden corpus comparison skipped: no corpus at ${CORPUS}`);

function diff(golden: Golden, now: Golden, keys: (k: string) => boolean): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(golden), ...Object.keys(now)])].sort()) {
    if (!keys(k)) continue;
    const before = new Set(golden[k] ?? []);
    const after = new Set(now[k] ?? []);
    if (!(k in now)) out.push(`${k}: target gone`);
    if (!(k in golden)) out.push(`${k}: new target`);
    for (const l of before) if (!after.has(l)) out.push(`${k}: - ${l}`);
    for (const l of after) if (!before.has(l)) out.push(`${k}: + ${l}`);
  }
  return out.filter((d) => !ALLOWED.some((a) => {
    const i = d.indexOf(': ');
    return a.key.test(d.slice(0, i)) && a.line.test(d.slice(i + 2));
  }));
}

describe('lint findings and fixes against the golden record', () => {
  it.runIf(write)('writes golden.json', async () => {
    const fixtures = await collectFixtures();
    const prev: Golden = existsSync(GOLDEN) ? JSON.parse(readFileSync(GOLDEN, 'utf8')) : {};
    // keep the corpus part when the corpus is absent here
    const kept = corpus.length === 0 ? Object.fromEntries(Object.entries(prev).filter(([k]) => k.startsWith('corpus/'))) : collectCorpus();
    const all: Golden = { ...fixtures, ...kept };
    const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]!]));
    writeFileSync(GOLDEN, `${JSON.stringify(sorted, null, 1)}\n`);
  });

  const golden = (): Golden => JSON.parse(readFileSync(GOLDEN, 'utf8')) as Golden;

  it.skipIf(write)('fixture trees: the same findings and fixes', async () => {
    expect(diff(golden(), await collectFixtures(), (k) => !k.startsWith('corpus/'))).toEqual([]);
  });

  it.skipIf(write || corpus.length === 0)(`real-world corpus: the same findings and fixes (${corpus.length} files)`, () => {
    expect(diff(golden(), collectCorpus(), (k) => k.startsWith('corpus/'))).toEqual([]);
  });
});

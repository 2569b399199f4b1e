/**
 * The JUnit, Checkstyle and Code Quality writers hold no finding: lint of 60 trees with 1,000
 * findings each (60,000 findings; tens of MB of XML or JSON) runs in a V8 heap of 16 MiB, as the
 * JSON and SARIF formats do (test/lint/stream/memory.test.ts). A writer that kept the findings or
 * the report's text would run out of heap there. Asserted on the exit code and the whole output,
 * not on time. Spawns the built CLI (dist/).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../../cli/helpers.js';

const TREES = 60;
const LINES = 1000;
const HEAP_MIB = 16;

let repo = '';
beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-formats-mem-'));
  for (let h = 0; h < TREES; h++) {
    const sec = path.join(repo, 'hosts', `host${String(h).padStart(3, '0')}`, 'etc/security');
    mkdirSync(sec, { recursive: true });
    writeFileSync(path.join(sec, 'limits.conf'), 'bad\n'.repeat(LINES)); // one LC001 per line
  }
});
afterAll(() => { if (repo) rmSync(repo, { recursive: true, force: true }); });

function lintSmallHeap(format: string): { code: number | null; stderr: string; stdout: string } {
  const outFile = path.join(repo, `out.${format}`);
  const fd = openSync(outFile, 'w');
  try {
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, BIN, 'lint', 'hosts/*', '-f', format], {
      cwd: repo, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, stderr: r.stderr, stdout: readFileSync(outFile, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(outFile, { force: true });
  }
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

describe(`junit, checkstyle and codeclimate of ${TREES} trees × ${LINES} findings in a ${HEAP_MIB} MiB heap`, () => {
  it('junit: every finding a failed testcase, one suite per file, well-formed', () => {
    const r = lintSmallHeap('junit');
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false }).parse(r.stdout) as { testsuites: { testsuite: unknown[] } };
    expect(doc.testsuites.testsuite).toHaveLength(TREES + 1);
    expect(count(r.stdout, '<failure ')).toBe(TREES * LINES);
  }, 300_000);

  it('checkstyle: every finding an <error>, well-formed', () => {
    const r = lintSmallHeap('checkstyle');
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code).toBe(1);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    expect(count(r.stdout, '<error ')).toBe(TREES * LINES);
    expect(count(r.stdout, '<file ')).toBe(TREES);
  }, 300_000);

  it('codeclimate: every finding an issue with a fingerprint of its own', () => {
    const r = lintSmallHeap('codeclimate');
    expect(r.stderr, 'stderr').toBe('');
    expect(r.code).toBe(1);
    const issues = JSON.parse(r.stdout) as Array<{ check_name: string; fingerprint: string }>;
    expect(issues).toHaveLength(TREES * LINES);
    expect(issues.every((x) => x.check_name === 'limitsctl.LC001')).toBe(true);
    expect(new Set(issues.map((x) => x.fingerprint)).size).toBe(TREES * LINES);
  }, 300_000);
});

/**
 * lint of a config repository holds one tree at a time, not every tree and every finding: a
 * repository of 60 trees with 1,000 findings each (60,000 findings, 24 MB of JSON) is linted in
 * a V8 heap of 16 MiB, about what one tree and the program itself need. Lint before streaming
 * (commit 810f059: every tree loaded first, every finding kept until the end) runs out of heap
 * there (it needs more than 20 MiB for 50,000 findings). Asserted on the exit code and on the
 * whole output, not on time. LIMITSCTL_STREAM_BIN runs another bin/limitsctl.js (to see the old
 * one fail); default: this repository's build (dist/).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../../cli/helpers.js';

const TREES = 60;
const LINES = 1000;
const HEAP_MIB = 16;
const bin = process.env.LIMITSCTL_STREAM_BIN ?? BIN;

let repo = '';
beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-stream-mem-'));
  for (let h = 0; h < TREES; h++) {
    const sec = path.join(repo, 'hosts', `host${String(h).padStart(3, '0')}`, 'etc/security');
    mkdirSync(sec, { recursive: true });
    // one LC001 (too few fields) per line
    writeFileSync(path.join(sec, 'limits.conf'), 'bad\n'.repeat(LINES));
  }
});
afterAll(() => { if (repo) rmSync(repo, { recursive: true, force: true }); });

/** lint hosts/* under a small heap, stdout to a file; its exit code, stderr and stdout. */
function lintSmallHeap(format: string): { code: number | null; signal: string | null; stderr: string; stdout: string } {
  const outFile = path.join(repo, `out.${format}`);
  const fd = openSync(outFile, 'w');
  try {
    const r = spawnSync(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, bin, 'lint', 'hosts/*', '-f', format], {
      cwd: repo, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' },
    });
    return { code: r.status, signal: r.signal, stderr: r.stderr, stdout: readFileSync(outFile, 'utf8') };
  } finally {
    closeSync(fd);
    rmSync(outFile, { force: true });
  }
}

describe(`lint of ${TREES} trees × ${LINES} findings in a ${HEAP_MIB} MiB heap`, () => {
  it('json: every finding, a valid document, exit 1 (errors)', () => {
    const r = lintSmallHeap('json');
    expect(r.stderr, 'stderr').toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout) as { results: Array<{ code: string }>; summary: { errors: number; files: number } };
    expect(doc.results.length).toBe(TREES * LINES);
    expect(doc.results.every((x) => x.code === 'LC001')).toBe(true);
    expect(doc.summary).toMatchObject({ errors: TREES * LINES, files: TREES });
  }, 300_000);

  it('sarif: every result, a valid log, exit 1 (errors)', () => {
    const r = lintSmallHeap('sarif');
    expect(r.stderr, 'stderr').toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as { runs: Array<{ results: unknown[]; artifacts: unknown[] }> };
    expect(log.runs[0]!.results.length).toBe(TREES * LINES);
    expect(log.runs[0]!.artifacts.length).toBe(TREES);
  }, 300_000);
});

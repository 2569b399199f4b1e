/**
 * src/io/random.ts: the random names and tokens of the write path come from the kernel's random
 * device, and from node:crypto when /dev/urandom is something else (another device bind-mounted
 * over it, a regular file, a FIFO): never the same "random" name twice, never a hang.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { randomHex } from '../../src/io/random.js';
import { useIoModule } from './helpers/module.js';

const mod = useIoModule();

describe('randomHex', () => {
  it('gives 2n hex digits, another value each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const h = randomHex(6);
      expect(h).toMatch(/^[0-9a-f]{12}$/);
      seen.add(h);
    }
    expect(seen.size).toBe(200);
    expect(randomHex(12)).toMatch(/^[0-9a-f]{24}$/);
  });

  // /dev/urandom replaced in a private mount namespace (root and unshare -m needed)
  const replaced = (what: string, setup: string): string[] | null => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-random-'));
    try {
      writeFileSync(path.join(dir, 'file'), 'x'.repeat(64));
      const code = `import(${JSON.stringify(`file://${path.dirname(mod.helper('io-op.mjs'))}/random.js`)}).then((m) => console.log(JSON.stringify([m.randomHex(6), m.randomHex(6), m.randomHex(6)])))`;
      const script = `${setup.replaceAll('DIR', dir)}\nexec ${JSON.stringify(process.execPath)} -e ${JSON.stringify(code).replaceAll('$', '\\$')}`;
      const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-ec', script], { encoding: 'utf8', timeout: 20_000 });
      if (r.status !== 0 && /mount|unshare|permission|Operation not permitted/i.test(`${r.stderr}${r.error?.message ?? ''}`)) return null;
      if (r.status !== 0) throw new Error(`${what}: exit ${r.status} ${r.signal ?? ''} ${r.stderr}`);
      return JSON.parse(r.stdout.trim()) as string[];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  for (const [what, setup] of [
    ['/dev/zero', 'mount --bind /dev/zero /dev/urandom'],
    ['a regular file', 'mount --bind DIR/file /dev/urandom'],
    ['a FIFO', 'mkfifo DIR/fifo && mount --bind DIR/fifo /dev/urandom'],
  ] as const) {
    it(`falls back to node:crypto when /dev/urandom is ${what} (no repeated value, no hang)`, (ctx) => {
      const out = process.getuid?.() === 0 ? replaced(what, setup) : null;
      if (out === null) {
        console.warn('[skipped] replacing /dev/urandom needs root and mount namespaces (unshare -m)');
        ctx.skip();
        return;
      }
      for (const h of out) expect(h).toMatch(/^[0-9a-f]{12}$/);
      expect(new Set(out).size).toBe(3);
    });
  }
});

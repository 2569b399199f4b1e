import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const docs = readFileSync(path.join(REPO, 'docs/library.md'), 'utf8');
const examples = [...docs.matchAll(/^## (.+)\n[\s\S]*?```js\n([\s\S]*?)```/gm)].map((m) => ({ title: m[1]!, code: m[2]! }));

let dir = '';
beforeAll(() => {
  // a project where `import 'limitsctl'` resolves to this repository's build (dist/)
  dir = mkdtempSync(path.join(os.tmpdir(), 'limitsctl-docs-'));
  mkdirSync(path.join(dir, 'node_modules'));
  symlinkSync(REPO, path.join(dir, 'node_modules/limitsctl'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/library.md examples run', () => {
  it('has examples', () => expect(examples.length).toBeGreaterThanOrEqual(5));
  for (const [i, ex] of examples.entries()) {
    it(ex.title, () => {
      const file = path.join(dir, `example-${i}.mjs`);
      writeFileSync(file, ex.code);
      const r = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, LIMITSCTL_DEMO: path.join(REPO, 'fixtures/demo') } });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
    });
  }
});

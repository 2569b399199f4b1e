/**
 * The install instructions for CI, pre-commit and hosts (docs/ci.md, the CI sections of
 * docs/lint.md, README.md, docs/library.md) say only what works from this repository:
 * - no command in a code block installs or runs a registry package named limitsctl (there is none:
 *   `npx limitsctl` would run whoever claims the name);
 * - every YAML block parses; the hook id they name is the one .pre-commit-hooks.yaml defines; every
 *   `with:` of `uses: …/limitsctl@…` names inputs action.yml has;
 * - every release they name (`rev:`, `@v…`, tarball names; the hook's and the action's header
 *   comments, the manual's title line, example outputs' `tool`) is package.json's version;
 * - a SARIF upload has `security-events: write` and no step ends in `|| true`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '../..');
const read = (f: string) => readFileSync(path.join(REPO, f), 'utf8');
const DOCS = ['docs/ci.md', 'docs/lint.md', 'README.md', 'docs/library.md'];
const VERSION = (JSON.parse(read('package.json')) as { version: string }).version;

interface Block { file: string; lang: string; text: string }

function blocks(file: string): Block[] {
  const out: Block[] = [];
  for (const m of read(file).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)) out.push({ file, lang: m[1]!, text: m[2]! });
  return out;
}

const ALL = DOCS.flatMap(blocks);

/** Every object in a parsed YAML document, depth first. */
function* objects(v: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(v)) for (const x of v) yield* objects(x);
  else if (v && typeof v === 'object') {
    yield v as Record<string, unknown>;
    for (const x of Object.values(v)) yield* objects(x);
  }
}

describe('CI install instructions', () => {
  it('have code blocks to check', () => {
    expect(ALL.filter((b) => b.file === 'docs/ci.md' && b.lang === 'yaml').length).toBeGreaterThanOrEqual(5);
    expect(ALL.filter((b) => b.file === 'docs/ci.md' && b.lang === 'groovy')).toHaveLength(1);
  });

  it('never install or run a registry package named limitsctl', () => {
    const registry = [
      /\bnpx\s+(?:-{1,2}[\w-]+\s+)*limitsctl\b/, // npx [--yes] limitsctl
      /\bnpm\s+(?:install|i|add|ci)\s+(?:-{1,2}[\w=-]+\s+)*limitsctl(?:@[\w.^~-]*)?(?=\s|$|['"`])/m, // npm install [-g] limitsctl[@v]
      /\bnpm\s+exec\s+(?!--no\b)(?:-{1,2}[\w-]+\s+)*limitsctl\b/, // npm exec without --no
    ];
    for (const f of ['action.yml', '.pre-commit-hooks.yaml']) for (const re of registry) expect(read(f), `${f}: ${re}`).not.toMatch(re);
    for (const b of ALL) {
      for (const re of registry) expect(b.text, `${b.file}, a ${b.lang || 'plain'} block: ${re}`).not.toMatch(re);
    }
    // the regular expressions do find the forms the issue reported
    for (const bad of ['npx --yes limitsctl lint', 'npm install limitsctl', 'npm i -g limitsctl', 'npm install --save-dev limitsctl', 'npx limitsctl lint']) {
      expect(registry.some((re) => re.test(bad)), bad).toBe(true);
    }
    expect(registry.some((re) => re.test('npm install -g ./limitsctl-0.1.0.tgz'))).toBe(false);
  });

  it('YAML blocks parse; hook ids and action inputs exist', () => {
    const hooks = (parse(read('.pre-commit-hooks.yaml')) as Array<{ id: string }>).map((h) => h.id);
    const inputs = Object.keys((parse(read('action.yml')) as { inputs: Record<string, unknown> }).inputs);
    let used = 0;
    for (const b of ALL.filter((x) => x.lang === 'yaml')) {
      const doc: unknown = parse(b.text);
      for (const o of objects(doc)) {
        if (typeof o.repo === 'string' && o.repo !== 'local') {
          for (const h of (o.hooks as Array<{ id: string }>)) expect(hooks, `${b.file}: hook ${h.id}`).toContain(h.id);
          used++;
        }
        if (typeof o.uses === 'string' && /\/limitsctl@/.test(o.uses)) {
          for (const k of Object.keys((o.with as object | undefined) ?? {})) expect(inputs, `${b.file}: input ${k}`).toContain(k);
          used++;
        }
      }
    }
    expect(used).toBeGreaterThanOrEqual(5);
  });

  it("docs/ci.md's local hook passes the files the shipped hook passes (the same files and exclude)", () => {
    const hook = (parse(read('.pre-commit-hooks.yaml')) as Array<{ files: string; exclude?: string }>)[0]!;
    expect(hook.exclude, 'README and other documentation in limits.d are not linted').toBeDefined();
    const local = blocks('docs/ci.md').filter((b) => b.lang === 'yaml' && /repo: local/.test(b.text));
    expect(local).toHaveLength(1);
    const entry = [...objects(parse(local[0]!.text))].find((o) => o.id === 'limitsctl-lint')!;
    expect(entry.files).toBe(hook.files);
    expect(entry.exclude).toBe(hook.exclude);
  });

  it("docs/ci.md's table of the action's inputs lists exactly action.yml's inputs, with their defaults", () => {
    const action = parse(read('action.yml')) as { inputs: Record<string, { default?: string }> };
    const section = read('docs/ci.md').split('\n## GitHub Actions\n')[1]!.split('\n## ')[0]!;
    const rows = [...section.matchAll(/^\| `([\w-]+)` \| ([^|]+) \|/gm)].map((m) => [m[1]!, m[2]!.trim()] as const);
    expect(rows.map(([k]) => k).sort()).toEqual(Object.keys(action.inputs).sort());
    for (const [k, shown] of rows) {
      const d = action.inputs[k]!.default ?? '';
      if (d === '') expect(shown, k).toMatch(/^\(.*\)$/);
      else expect(shown, k).toBe(`\`${d}\``);
    }
  });

  it('name the release of package.json (tags v<version>, tarballs limitsctl-<version>.tgz)', () => {
    const text = [...DOCS.map(read), read('action.yml')].join('\n');
    const tags = [...text.matchAll(/(?:rev:\s*|limitsctl@|--branch\s+|LIMITSCTL_REF[:=]\s*'?)(v\d+\.\d+\.\d+(?:-[0-9A-Za-z.]*[0-9A-Za-z])?)(?![\w.])/gm)].map((m) => m[1]);
    expect(tags.length).toBeGreaterThanOrEqual(8);
    for (const t of tags) expect(t).toBe(`v${VERSION}`);
    for (const m of text.matchAll(/limitsctl-(\d+\.\d+\.\d+[^/\s]*?)\.tgz/g)) expect(m[1]).toBe(VERSION);
    // the header comments of the hook and the action, the manual's title line, example outputs' tool
    for (const f of ['.pre-commit-hooks.yaml', 'action.yml']) {
      const named = [...read(f).matchAll(/^#.*?\b(v\d+\.\d+\.\d+)\b/gm)].map((m) => m[1]);
      expect(named.length, f).toBeGreaterThanOrEqual(1);
      for (const t of named) expect(t, f).toBe(`v${VERSION}`);
    }
    expect(read('docs/limitsctl.1').split('\n')[0]).toMatch(new RegExp(`^\\.TH LIMITSCTL 1 "[\\d-]+" "limitsctl ${VERSION.replace(/\./g, '\\.')}"`));
    let tools = 0;
    for (const f of ['docs/lint.md', 'docs/doctor.md']) {
      for (const m of read(f).matchAll(/"tool": \{ "name": "limitsctl", "version": "([^"]+)"/g)) { expect(m[1], f).toBe(VERSION); tools++; }
    }
    expect(tools).toBeGreaterThanOrEqual(2);
  });

  it('upload SARIF with security-events: write, and hide no failure behind || true', () => {
    for (const b of ALL) {
      expect(b.text, `${b.file}`).not.toMatch(/\|\|\s*true/);
      if (!b.text.includes('upload-sarif')) continue;
      const doc = parse(b.text) as { jobs: Record<string, { permissions?: Record<string, string>; steps: Array<{ uses?: string }> }> };
      for (const [name, job] of Object.entries(doc.jobs)) {
        if (!job.steps.some((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))) continue;
        expect(job.permissions?.['security-events'], `${b.file}: job ${name}`).toBe('write');
      }
    }
    expect(read('docs/ci.md')).toMatch(/at most 10 error, 10 warning and 10 notice annotations per step/);
    expect(read('docs/lint.md')).toMatch(/at most 10 of each kind/);
  });
});

/**
 * docs/architecture.md cannot rot silently: every repository path it names (`src/…`, `test/…`,
 * `fixtures/…`, `docs/…`, `ansible/…`) exists, and README.md's Documentation section links it.
 * A placeholder segment (`fixtures/lint/<name>/`, `src/core/doctor/findings/<id>.ts`) is checked
 * up to the directory before it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../..');
const DOC = readFileSync(path.join(REPO, 'docs/architecture.md'), 'utf8');

/** The repository paths a markdown text names, as written (placeholders cut off, trailing punctuation dropped). */
function namedPaths(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/(?<![\w./-])(?:src|test|fixtures|docs|ansible)\/[^\s`'"),;:]*/g)) {
    let p = m[0];
    const placeholder = p.search(/[<{*]/);
    if (placeholder >= 0) p = p.slice(0, p.lastIndexOf('/', placeholder) + 1);
    p = p.replace(/#.*$/, '').replace(/[.]+$/, '');
    out.add(p);
  }
  return [...out].sort();
}

describe('docs/architecture.md', () => {
  const paths = namedPaths(DOC);

  it(`names only paths that exist (${paths.length} paths)`, () => {
    // the doc is a map of the code: if it names few paths, the extraction is broken
    expect(paths.length).toBeGreaterThan(60);
    const missing = paths.filter((p) => !existsSync(path.join(REPO, p)));
    expect(missing, 'paths named in docs/architecture.md that do not exist').toEqual([]);
  });

  it('the extraction sees placeholders, anchors and sentence ends', () => {
    expect(namedPaths('see fixtures/lint/<name>/bad and src/core/doctor/findings/<id>.ts.')).toEqual(['fixtures/lint/', 'src/core/doctor/findings/']);
    expect(namedPaths('docs/rules.md#lc101, (`src/io/commit.ts`: x) and src/io/ but not mysrc/x')).toEqual(['docs/rules.md', 'src/io/', 'src/io/commit.ts']);
  });

  it("is linked from README.md's Documentation section", () => {
    const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const section = /^## Documentation\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1] ?? '';
    expect(section).toContain('docs/architecture.md');
  });
});

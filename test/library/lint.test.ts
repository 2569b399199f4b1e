/**
 * Lint in the library is `limitsctl lint`: lintTree / lintPaths with formatLintReport print, byte
 * for byte, what the built CLI prints for the same trees, settings and working directory, in every
 * format the CLI offers; lintExitCode is its exit code. (dist/ is built by `npm test`.)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINT_FORMATS } from '../../src/formatters/lint-format-names.js';
import { formatLintReport, lintExitCode, lintPaths, lintSummary, lintTree } from '../../src/index.js';
import { cli, DEMO, REPO } from '../cli/helpers.js';

const built = existsSync(path.join(REPO, 'dist/limitsctl.cjs'));
const TREES = [DEMO, path.join(REPO, 'fixtures/lint/duplicate-entry/bad'), path.join(REPO, 'fixtures/lint/dialect-difference/bad')];

describe.skipIf(!built)('lintTree and lintPaths print what limitsctl lint prints', () => {
  for (const root of TREES) {
    const rel = path.relative(REPO, root);
    it(`lintTree('${rel}') in every format`, async () => {
      const report = await lintTree(rel, { cwd: REPO });
      for (const format of LINT_FORMATS) {
        const r = cli(['lint', '--root', rel, '--format', format], { cwd: REPO });
        expect(formatLintReport(report, format), `${rel} --format ${format}`).toBe(r.stdout);
        expect(lintExitCode(report), `${rel} exit code`).toBe(r.code);
      }
    });
  }

  it('lintPaths with several PATHs, a glob among them', async () => {
    const paths = ['fixtures/lint/duplicate-entry/bad', 'fixtures/lint/dash-*/bad'];
    const report = await lintPaths(paths, { cwd: REPO, profile: 'rhel-9' });
    const r = cli(['lint', '--profile', 'rhel-9', '--format', 'json', ...paths], { cwd: REPO });
    expect(formatLintReport(report, 'json')).toBe(r.stdout);
    expect(report.profiles?.map((p) => p.profile)).toEqual(['rhel-9', 'rhel-9']);
    expect(lintSummary(report).files).toBe(report.files.length);
  });

  it('settings: false reads no .limitsctl.ini; a PATH naming nothing is a LintPathError', async () => {
    const report = await lintTree('fixtures/demo', { cwd: REPO, settings: false });
    expect(report.rules.every((r) => r.enabled)).toBe(true);
    await expect(lintPaths(['fixtures/no-such-dir'], { cwd: REPO })).rejects.toMatchObject({ name: 'LintPathError', code: 'ELINTPATH' });
    await expect(lintTree('fixtures/no-such-dir', { cwd: REPO })).rejects.toMatchObject({ name: 'TreeRootError', code: 'EBADROOT' });
  });
});

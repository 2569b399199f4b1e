/**
 * The main job on a tree, as `npm start` runs it on fixtures/demo: which files pam_limits reads,
 * what a user's nproc really is and why, what a CI lint says, and the change that takes effect.
 * `--json` gives the same as one object (docs/schemas/demo.schema.json).
 */
import { explainItem } from '../../core/explain.js';
import { effectiveJson, resolutionWarnings } from '../../formatters/effective.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';
import { type CliIO, type GlobalArgs, loadContextTree, makeContext } from '../context.js';
import { toJson } from '../output.js';
import { resolveForArgs } from '../resolving.js';

export interface DemoArgs extends GlobalArgs {
  user: string;
}

export async function run(args: DemoArgs, io: CliIO): Promise<number> {
  if (args.json) return runJson(args, io);
  const ctx = makeContext(args, io);
  const c = ctx.colors;
  const section = (title: string, cmd: string) => io.stdout(`\n${c.bold(`== ${title}`)}\n${c.dim(`$ ${cmd}`)}\n`);
  const rootArg = `--root ${args.root}`;
  const common = { root: args.root, profile: args.profile, json: false, color: args.color };
  let worst = 0;
  section('Which files does pam_limits read?', `limitsctl files ${rootArg}`);
  worst = Math.max(worst, await (await import('./files.js')).run(common, io));
  section(`What nproc does ${args.user} really get?`, `limitsctl get nproc --user ${args.user} ${rootArg}`);
  worst = Math.max(worst, await (await import('./get.js')).run({ ...common, item: 'nproc', user: args.user }, io));
  section('Why?', `limitsctl explain nproc --user ${args.user} ${rootArg}`);
  worst = Math.max(worst, await (await import('./explain.js')).run({ ...common, item: 'nproc', user: args.user }, io));
  section('What would a CI lint of this tree say?', `limitsctl lint ${rootArg}`);
  const lintCode = await (await import('./lint.js')).run({ ...common, paths: [] }, io);
  worst = Math.max(worst, lintCode);
  section(`The fix that really takes effect (a dry run: nothing is written)`, `limitsctl set nproc 4096 --user ${args.user} ${rootArg} --dry-run`);
  worst = Math.max(worst, await (await import('./set.js')).run({ ...common, item: 'nproc', value: '4096', user: args.user, dryRun: true }, io));
  io.stdout(`\n${c.dim(`Profile: ${ctx.profileReason}.`)}\n`);
  return worst;
}

/** Run a command with --json into a string (its stderr still goes to the caller's stderr). */
async function captured(io: CliIO, run: (sub: CliIO) => Promise<number>): Promise<{ code: number; json: Record<string, unknown> }> {
  let text = '';
  const sub: CliIO = { stdout: (t) => { text += t; }, stderr: io.stderr, isTTY: false, env: io.env, cwd: io.cwd, ...(io.columns ? { columns: io.columns } : {}) };
  const code = await run(sub);
  return { code, json: JSON.parse(text) as Record<string, unknown> };
}

/**
 * `demo --json`: one object with what the text shows — the files, the user's nproc (values and
 * lines, as `get` and `explain` give them), the lint summary and findings, and the dry run of the
 * fix. Exit code as for the text: the worst of the commands it runs.
 */
async function runJson(args: DemoArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const common = { root: args.root, profile: args.profile, json: true, color: args.color };
  const { filesReport } = await import('./files.js');
  const { explainLinesJson } = await import('./explain.js');
  const report = filesReport(loadContextTree(ctx), ctx.profileSource);
  const { res } = resolveForArgs(ctx, { user: args.user });
  const full = effectiveJson(res);
  const nproc = (full.limits as Record<string, object | undefined>).nproc ?? { soft: null, hard: null, softFrom: null, hardFrom: null };
  const lint = await captured(io, async (sub) => (await import('./lint.js')).run({ ...common, paths: [] }, sub));
  const fixArgs = { ...common, item: 'nproc', value: '4096', user: args.user, dryRun: true };
  const fix = await captured(io, async (sub) => (await import('./set.js')).run(fixArgs, sub));
  const results = lint.json.results as Array<Record<string, unknown>>;
  io.stdout(`${toJson({
    version: JSON_VERSIONS.demo,
    root: report.root,
    user: full.user,
    profile: report.profile,
    profileSource: report.profileSource,
    files: report.files,
    ignored: report.ignored,
    failure: report.failure,
    nproc: { applied: full.applied, result: full.result, ...nproc, lines: explainLinesJson(explainItem(res, 'nproc', false)) },
    lint: {
      exitCode: lint.code,
      summary: lint.json.summary,
      findings: results.map((r) => ({ file: r.file, line: r.line, severity: r.severity, code: r.code, rule: r.rule, message: r.message })),
    },
    fix: {
      command: `limitsctl set nproc 4096 --user ${args.user} --dry-run`,
      exitCode: fix.code,
      changed: fix.json.changed,
      diff: fix.json.diff,
      changes: fix.json.changes,
      blockers: fix.json.blockers,
    },
    warnings: resolutionWarnings(res),
  })}\n`);
  return Math.max(report.failure ? 1 : 0, lint.code, fix.code);
}

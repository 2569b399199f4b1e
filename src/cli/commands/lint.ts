/**
 * `limitsctl lint [PATH…]`: check configuration trees or files the way pam_limits reads them
 * (rules: docs/rules.md; settings, formats and CI use: docs/lint.md).
 */
import { fstatSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { type FixOutcome, fixTarget } from '../../core/lint/fix.js';
import { lintTargetStream } from '../../core/lint/engine.js';
import { docsLink, exitCodeOf, type LintReportHead, type LintReportTail, type LintSummary, LintTally } from '../../core/lint/report.js';
import { RULES } from '../../core/lint/rules.js';
import type { Diagnostic, LintConfig } from '../../core/lint/types.js';
import { binaryToDisplay, binaryToBytes } from '../../core/model.js';
import { canonicalProfile, type Profile, FALLBACK_PROFILE } from '../../core/schema.js';
import { findingBytes, isLintFormat, LINT_FORMATS, lintWriter } from '../../formatters/lint-formats.js';
import { type ByteOut, PumpWriter } from '../../formatters/stream.js';
import { expandLintTargets, inTreeLayout, type LoadedLintTarget, loadRootTarget, stdinTarget } from '../../io/lint-targets.js';
import { realPathKeepingCwd, resolveFrom } from '../../io/cwd.js';
import { type OversizedStream, readStreamCapped, readStreamUpToCap } from '../../io/stdin.js';
import type { OutputFile } from '../../io/output-file.js';
import { checkRoot } from '../../io/paths.js';
import { inTreeRealPath, physicalPath, physicalPaths, refuseUnwritable } from '../../io/writable.js';
import { loadSettings, type LintSettings } from '../../io/settings.js';
import { chooseProfile, type CliIO, detectProfile, type GlobalArgs, wantColor } from '../context.js';
import { docsBaseUrl } from '../docs-url.js';
import { UsageError } from '../errors.js';
import { makeColors } from '../output.js';
import { quoteDiffPath } from '../../core/edit/unified-diff.js';
import { escapeControls } from '../../formatters/terminal.js';

export { LINT_FORMATS, type LintFormat } from '../../formatters/lint-formats.js';

export interface LintArgs extends GlobalArgs {
  paths?: string[];
  format?: string;
  'max-warnings'?: number;
  /** sarif: automationDetails.id (src/formatters/sarif.ts) */
  'sarif-category'?: string;
  config?: string;
  fix?: boolean;
  'dry-run'?: boolean;
  quiet?: boolean;
  /** lint the bytes of standard input (also: the PATH `-`) */
  stdin?: boolean;
  /** with stdin: the file the input stands for */
  'stdin-filename'?: string;
  /** write the report to this file (atomically, on exit 0 or 1) instead of stdout */
  'output-file'?: string;
}

/**
 * What lint needs beyond CliIO for standard input: its bytes, and a byte-exact stdout for the
 * fixed file (`--stdin --fix`). processIO() provides neither: the process's own streams are used.
 */
export interface LintIO extends CliIO {
  readonly stdin?: AsyncIterable<Buffer | string> & { destroy?: () => void };
  readonly stdoutBytes?: (bytes: Buffer) => void;
}

/** One file a fix rewrites. */
export interface FixedFile {
  /** display path (as in findings) */
  readonly file: string;
  readonly abs: string;
  /** binary strings (one char per byte) */
  readonly before: string;
  readonly after: string;
  /** how many findings' fixes were applied to it */
  readonly fixes: number;
}

/** The fixes of one target, as planned from what is on disk now. */
export interface FixPlan {
  readonly outcome: FixOutcome;
  /** the files that change (files matched by ignorePatterns are left out) */
  readonly files: readonly FixedFile[];
}

/**
 * Fix a target and write the fixes through the edit transaction (commitEdits, src/io/commit.ts):
 * all files of a tree as one all-or-nothing commit under the tree's lock, each compared right
 * before its rename with the content the fix was computed from. When a file changed underneath
 * (another editor), the target is read again, linted and fixed again, and that is written (up to
 * three plans; then exit 2, nothing written): fixes are computed from the bytes alone, so fixing
 * the new content is as safe as fixing the old, and the other editor's change is kept. Files that
 * are not in a tree (a file, or a directory holding limits.conf / limits.d, linted on its own)
 * have no tree lock or journal: each such file is its own atomic, compare-and-swap commit.
 * `dryRun` plans only. `onNote` gets the note about a change a killed run left half-done.
 */
export async function fixAndWrite(
  t: LoadedLintTarget, fix: (target: LoadedLintTarget) => FixPlan, options: { dryRun?: boolean; onNote?: (text: string) => void } = {},
): Promise<FixPlan> {
  let fresh = false;
  let last: FixPlan | undefined;
  const plan = async (): Promise<FixPlan> => {
    last = fix(fresh ? await t.reload() : t);
    fresh = true;
    return last;
  };
  const { commitEdits } = await import('../../io/commit.js');
  const { recoveryNote } = await import('../editing.js');
  const rel = (base: string, f: FixedFile) => ({ path: path.relative(base, f.abs).split(path.sep).join('/'), before: f.before, after: f.after });
  if (t.root !== null) {
    const root = t.root;
    const r = await commitEdits(root, async () => {
      const p = await plan();
      return { ...p, changes: oneWritePerFile(p.files, inTreeRealPath(root)).map((f) => rel(root, f)) };
    }, { dryRun: options.dryRun === true, onRecovered: (rep) => options.onNote?.(`${recoveryNote(rep)}\n`) });
    return r.plan;
  }
  const first = await plan();
  // each file is its own commit: the refusals a dry run predicts (commitEdits' pre-flight) are
  // checked for every file before the first is written, and for a dry run too; so is each
  // file's directory for writability (refuseUnwritable), except for a dry run
  const own = oneWritePerFile(first.files);
  const { preflight } = await import('../../io/commit.js');
  for (const f of own) preflight(path.dirname(f.abs), [rel(path.dirname(f.abs), f)], 'refuse');
  if (options.dryRun === true) return first;
  refuseUnwritable(null, own);
  for (const abs of own.map((f) => f.abs)) {
    const dir = path.dirname(abs);
    await commitEdits(dir, async () => {
      const p = await plan();
      return { changes: p.files.filter((f) => f.abs === abs).map((f) => rel(dir, f)) };
    }, { lock: false });
  }
  // each commit plans the whole target again (from what is on disk then), so the last plan has
  // no fixes left for the files written before it: the fixes counted are the first plan's, every
  // name of a file counted as the dry run and a tree count them; what is left is the last plan's
  return { ...(last ?? first), files: first.files };
}

/**
 * The fixed files to write: one per real file. Two names of a tree can be one file (a limits.d
 * link to limits.conf, which pam_limits reads twice): both get the same fixes from the same bytes,
 * and the file is written once (both names' fixes are counted, and a dry run shows both diffs).
 * Names of one file whose fixed contents differ are both kept, and the writer refuses them
 * (EDUPLICATE, exit 2, nothing of that tree written). A name that cannot be resolved is kept as
 * it is (the writer reports it). `realPath` gives the file a name leads to: in a tree, as the
 * reader and the writer resolve it ({@link inTreeRealPath}: an absolute link is one inside the
 * tree, never the host's file); for files outside a tree, the host's realpath.
 */
export function oneWritePerFile(files: readonly FixedFile[], realPath: (abs: string) => string = realPathKeepingCwd): FixedFile[] {
  const byReal = new Map<string, FixedFile>();
  const out: FixedFile[] = [];
  for (const f of files) {
    let real: string;
    try {
      real = realPath(f.abs);
    } catch {
      out.push(f);
      continue;
    }
    const same = byReal.get(real);
    if (same !== undefined && same.before === f.before && same.after === f.after) continue;
    if (same === undefined) byReal.set(real, f);
    out.push(f);
  }
  return out;
}

async function unifiedDiff(file: string, before: string, after: string): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const name = file.replace(/^\/+/, '');
  const patch = createTwoFilesPatch(quoteDiffPath(`a/${name}`), quoteDiffPath(`b/${name}`), binaryToDisplay(before), binaryToDisplay(after), undefined, undefined, { context: 3 });
  return patch.replace(/^=+\n/, '').replace(/^(---|\+\+\+) (.*)\t\n/gm, '$1 $2\n');
}

function relativeTo(dir: string, abs: string): string {
  return path.relative(dir, abs).split(path.sep).join('/');
}

function ignored(settings: LintSettings, abs: string | undefined): boolean {
  if (!abs || settings.ignorePatterns.length === 0) return false;
  const rel = relativeTo(settings.dir, abs);
  if (rel.startsWith('..')) return false;
  return settings.ignorePatterns.some((re) => re.test(rel));
}

export async function run(args: LintArgs, io: LintIO): Promise<number> {
  const format = args.format ?? (args.json ? 'json' : 'text');
  if (!isLintFormat(format)) throw new UsageError(`unknown format '${format}'; use ${LINT_FORMATS.slice(0, -1).join(', ')} or ${LINT_FORMATS.at(-1)!}`);
  const lintFormat = format; // narrowed, for the report() closure
  const maxWarnings = args['max-warnings'];
  if (maxWarnings !== undefined && (!Number.isInteger(maxWarnings) || maxWarnings < -1)) {
    throw new UsageError(`--max-warnings must be a whole number (or -1 for no limit), got ${String(maxWarnings)}`);
  }
  if (args['dry-run'] && !args.fix) throw new UsageError('--dry-run goes with --fix (it shows the fixes as a diff and writes nothing)');
  const sarifCategory = args['sarif-category'];
  if (sarifCategory !== undefined && format !== 'sarif') throw new UsageError(`--sarif-category goes with --format sarif (it names the analysis in the SARIF log), not with --format ${format}`);
  // standard input: --stdin or the PATH '-', alone (docs/lint.md, "Standard input and editors")
  const paths = args.paths ?? [];
  const dashes = paths.filter((p) => p === '-').length;
  if (dashes > 1) throw new UsageError("'-' (standard input) is given twice; standard input can be read once");
  if (dashes === 1 && args.stdin === true) throw new UsageError("'-' and --stdin both mean standard input; give one of them");
  const fromStdin = args.stdin === true || dashes === 1;
  const stdinName = args['stdin-filename'];
  if (fromStdin && paths.length > dashes) {
    throw new UsageError(`standard input is linted alone: ${dashes === 1 ? "'-'" : '--stdin'} cannot go with the PATH arguments ${paths.filter((p) => p !== '-').join(' ')}`,
      'Lint the paths in a run of their own, or name standard input among them as /dev/stdin (then linted as a file of its own).');
  }
  if (stdinName !== undefined && !fromStdin) throw new UsageError('--stdin-filename goes with --stdin (or the PATH -): it names the file standard input stands for');
  if (fromStdin && stdinName === undefined && args.root !== '/') {
    throw new UsageError('--root goes with --stdin only together with --stdin-filename (where in that tree the input belongs)', 'Add --stdin-filename etc/security/limits.d/NAME.conf, or leave --root out.');
  }
  // `--stdin --fix` prints the fixed file on stdout (the report goes to stderr, or --output-file)
  const fixToStdout = fromStdin && args.fix === true && args['dry-run'] !== true;
  const outputName = args['output-file'] === '-' ? undefined : args['output-file'];
  const docsBase = docsBaseUrl(io.env);

  // SettingsError, LintPathError and TreeRootError are input errors with their hints: main() reports them
  const settings: LintSettings = loadSettings(args.config === undefined ? { cwd: io.cwd } : { cwd: io.cwd, config: args.config });
  const asked = args.profile !== 'auto' ? args.profile : settings.profile ?? 'auto';
  // an unknown name is a usage error before anything is read; each tree gets its own profile under auto
  const chosen = asked === 'auto' ? null : chooseProfile(asked, '/', args.profile !== 'auto' ? '--profile' : 'profile =').profile;
  // a tree is read more than once by --fix (its pre-flight, a re-plan after a change underneath)
  const warned = new Set<string>();
  const profile = (root: string | null): Profile => {
    if (chosen) return chosen;
    if (root === null) return FALLBACK_PROFILE;
    const d = detectProfile(root);
    // a guess (a release not in the table) is said once per tree; an unreadable os-release is LC306
    if (d.warning !== null && d.file !== null && !warned.has(root)) {
      warned.add(root);
      io.stderr(`warning: ${escapeControls(root)}: ${d.warning}\n`);
    }
    return d.profile;
  };
  const expand = { cwd: io.cwd, profile, nrOpen: settings.nrOpen };

  // every PATH is expanded and checked before anything is linted or printed (a bad one: exit 2,
  // no output); the trees are then read, linted and printed one at a time
  const outputAbs = outputName === undefined ? null : resolveFrom(io.cwd, outputName);
  // the file the report would replace, its links followed (an unresolvable one is reported when it is opened)
  let outputReal: string | null = null;
  if (outputName !== undefined) {
    try { outputReal = (await import('../../io/output-file.js')).resolveOutputFile(outputName, io.cwd).path; } catch { /* reported by openOutputFile */ }
  }
  // standard input redirected from a file (`lint - < x.conf`): that file is being linted too
  const stdinIsReport = (): boolean => {
    if (outputReal === null) return false;
    try {
      const a = fstatSync(0);
      const b = statSync(outputReal);
      return a.isFile() && a.dev === b.dev && a.ino === b.ino;
    } catch {
      return false;
    }
  };
  const isReport = (p: string): boolean => resolveFrom(io.cwd, p) === outputAbs || (outputReal !== null && physicalPath(null, resolveFrom(io.cwd, p)) === outputReal);
  if (outputAbs !== null && (inTreeLayout(outputAbs) || (outputReal !== null && inTreeLayout(outputReal)) || paths.some(isReport) || (stdinName !== undefined && isReport(stdinName)) || (fromStdin && io.stdin === undefined && stdinIsReport()))) {
    throw new UsageError(`--output-file ${outputName!} would replace a file being linted, or put a report where pam_limits reads its configuration`, 'Write the report outside etc/security, e.g. --output-file lint-report.txt.');
  }
  let targets: AsyncIterable<LoadedLintTarget>;
  let targetsNamed = 1; // how many targets the PATHs name
  let stdinBytes: Buffer | OversizedStream | null = null;
  if (fromStdin) {
    if (io.stdin === undefined && process.stdin.isTTY) io.stderr('limitsctl: reading the file to lint from the terminal; end it with Ctrl-D\n');
    // above the cap: what a file on disk above the cap is (LC306), except for --stdin --fix, whose
    // fixed file would be the whole input (exit 2)
    // the command line is checked before standard input is read: a usage error never waits for it
    const base = args.root !== '/' ? resolveFrom(io.cwd, args.root) : io.cwd;
    if (args.root !== '/') checkRoot(base, '--root');
    if (stdinName !== undefined) stdinTarget(Buffer.alloc(0), stdinName, { ...expand, base }); // only plans: a directory NAME is refused
    stdinBytes = fixToStdout
      ? await readStreamCapped(io.stdin ?? process.stdin, 'standard input')
      : await readStreamUpToCap(io.stdin ?? process.stdin, stdinName ?? 'standard input');
    targets = stdinTarget(stdinBytes, stdinName ?? null, { ...expand, base });
  } else if (paths.length > 0) {
    // --fix cannot write back to a stream: refused before it is opened (a FIFO would be read first)
    const expanded = await expandLintTargets(paths, args.fix === true && args['dry-run'] !== true
      ? { ...expand, refuseStream: (shown) => new UsageError(`--fix cannot write its fixes back to ${shown}: it would be read as a stream (a FIFO, a device or /dev/fd), not a file`,
        'Use --fix --dry-run to see the fixes, or pipe it to lint --stdin --fix to get the fixed file on stdout.') }
      : expand);
    targets = expanded;
    targetsNamed = expanded.count;
  } else {
    checkRoot(resolveFrom(io.cwd, args.root), '--root');
    const one = await loadRootTarget(args.root, expand);
    targets = (async function* rootTarget() { yield one; })();
  }

  const config: LintConfig = { severities: settings.severities, policy: settings.policy };
  const dryRun = args['dry-run'] === true;
  const planFix = (target: LoadedLintTarget): FixPlan => {
    const o = fixTarget(target.target, config);
    const fs = o.changes.filter((c) => !ignored(settings, target.abs.get(c.file)))
      .map((c): FixedFile => ({ file: c.file, abs: target.abs.get(c.file)!, before: c.before, after: c.after, fixes: c.fixes }));
    return { outcome: o, files: fs };
  };
  const reportOver = (t: LoadedLintTarget, reportPath: string): void => {
    const physical = physicalPaths(t.root);
    for (const a of t.abs.values()) {
      if (a === reportPath || physical(a) === reportPath) throw new UsageError(`--output-file ${outputName!} is a file being linted; the report would replace it`, 'Write the report to a file of its own.');
    }
    // the directories pam_limits reads in this tree, as the tree's own links lead (a limits.d
    // that links to another directory): a report there would be read as configuration
    if (t.root === null) return;
    for (const d of ['etc/security', 'etc/security/limits.d']) {
      if (physicalPath(t.root, path.join(t.root, d)) === path.dirname(reportPath)) {
        throw new UsageError(`--output-file ${outputName!} would put a report where pam_limits reads its configuration (${d} of the tree ${escapeControls(path.relative(io.cwd, t.root) || '.')}, through its links)`, 'Write the report outside etc/security, e.g. --output-file lint-report.txt.');
      }
    }
  };
  // --fix over several targets writes each tree as it comes; so that a refusal in a later one
  // (exit 2) leaves every tree as it was, each is first read and its fixes planned and checked as
  // a dry run checks them (fixAndWrite with dryRun: the writer's refusals that can be seen before
  // the lock), and the directories it writes in for writability (refuseUnwritable), one tree at a
  // time, before anything is opened or written
  if (args.fix === true && !dryRun && targetsNamed > 1) {
    const reportPath = outputName === undefined ? null : (await import('../../io/output-file.js')).resolveOutputFile(outputName, io.cwd).path;
    for await (const t of targets) {
      if (reportPath !== null) reportOver(t, reportPath);
      if (t.stream === undefined) refuseUnwritable(t.root, oneWritePerFile((await fixAndWrite(t, planFix, { dryRun: true })).files, t.root === null ? realPathKeepingCwd : inTreeRealPath(t.root)));
    }
  }
  // A report that would replace a file of a tree, or land where the tree's pam_limits reads, is
  // refused before the report file's temporary file is made beside it (which would change that
  // directory's mtime): the first target is read now and checked (one target is the common
  // case, and reading it first changes nothing else: it is the first thing the report does).
  // (A later target of several is checked as it comes — after --fix over several targets, every
  // one was checked above.)
  if (outputName !== undefined && !(args.fix === true && !dryRun && targetsNamed > 1)) {
    const reportPath = (await import('../../io/output-file.js')).resolveOutputFile(outputName, io.cwd).path;
    const it = targets[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done !== true) reportOver(first.value, reportPath);
    targets = (async function* firstThenRest() {
      if (first.done === true) return;
      yield first.value;
      for (let r = await it.next(); r.done !== true; r = await it.next()) yield r.value;
    })();
  }
  // the report file is opened (a temporary file beside it) once every input is known good; it
  // replaces FILE only when the run ends with exit 0 or 1 (src/io/output-file.ts)
  const file: OutputFile | null = outputName === undefined ? null : (await import('../../io/output-file.js')).openOutputFile(outputName, io.cwd);
  try {
    const { code, summary: s } = await report(file);
    if (file !== null) {
      // stdout failed (the fixed file of --stdin --fix): main() ends in exit 2, so FILE stays as it was
      if ((io.outputFailure?.() ?? null) !== null) {
        file.discard();
      } else {
        file.commit();
        const n = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
        io.stderr(`limitsctl lint: ${n(s.errors, 'error')}, ${n(s.warnings, 'warning')}, ${s.info} info in ${s.filesWithFindings} of ${n(s.files, 'file')}; report written to ${outputName!}\n`);
      }
    }
    return code;
  } catch (e) {
    file?.discard();
    throw e;
  }

  async function report(file: OutputFile | null): Promise<{ code: number; summary: LintSummary }> {
    const colored = file !== null ? args.color === true : wantColor(io, args.color);
    const writer = lintWriter(lintFormat, makeColors(colored), sarifCategory === undefined ? {} : { sarifCategory });
    // written in blocks (256 KiB to stdout, 64 Ki characters to a file: formatters/stream.ts) as
    // the findings are produced: neither the findings nor the report's text are held (a JSON
    // report of a million findings would not fit in a JavaScript string). A block is written only when stdout takes it; once its reader has gone
    // (`lint | head -1`: EPIPE) nothing more is formatted, and the exit code is still that of the
    // findings (the trees left are linted for it, or not at all once it cannot change).
    // the report goes to FILE, or to stderr when stdout carries the fixed file (--stdin --fix)
    const out = new PumpWriter(file !== null ? { write: (t: string) => file.write(t) } : fixToStdout ? { write: io.stderr } : {
      write: io.stdout,
      ...(io.stdoutBytes ? { writeBytes: io.stdoutBytes } : {}),
      ...(io.stdoutClosed ? { closed: () => io.stdoutClosed!() } : {}),
      ...(io.stdoutReady ? { ready: () => io.stdoutReady!() } : {}),
    });
    // a finding goes into the output block as bytes where the format and the sink allow it (no
    // string is made, joined and encoded per finding: formatters/stream.ts, ByteOut)
    const bytesWriter = out.bytesMode ? findingBytes(writer) : null;
    const into = bytesWriter === null ? null : (d: Diagnostic, o: ByteOut) => bytesWriter.findingInto(d, o);
    // the event loop turns between trees and after each written block, so that a signal's
    // clean-up (the temporary file of --output-file: src/io/signal-cleanup.ts) runs within one
    // tree's work, not after the whole run
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    const emit = async (text: string): Promise<void> => {
      if (out.push(text)) await out.flush();
    };
    const head: LintReportHead = {
      tool: { name: 'limitsctl', version: toolVersion(), ...(docsBase ? { informationUri: docsLink('README.md', docsBase) } : {}) },
      ...(docsBase ? { docsBase } : {}),
      cwd: io.cwd,
      rules: RULES.map((r) => {
        const s = settings.severities.get(r.code);
        return { ...r, severity: s && s !== 'off' ? s : r.severity, enabled: s !== 'off' };
      }),
      maxWarnings: maxWarnings === undefined || maxWarnings < 0 ? null : maxWarnings,
    };
    await emit(writer.begin(head));

    const all = new LintTally(); // every finding (the exit code)
    const shown = args.quiet === true ? new LintTally() : all; // those printed (all, or the errors under --quiet)
    const files = new Set<string>();
    const diffs: string[] = []; // --fix --dry-run in JSON: the tail's `diff` member
    let suppressed = 0;
    let fixed = 0;
    let fixedFile: Buffer | null = null; // --stdin --fix: what goes to stdout
    const profiles: Array<{ root: string | null; files: readonly string[]; profile: Profile }> = [];
    // the V8 and node's own flags are the same for every tree: only the tree's size is looked at per tree
    const heapTunable = tuneHeapForLint(LINT_HEAP_TUNE_BYTES, process.versions.v8, process.execArgv, () => {});
    const setV8Flag = (flag: string) => {
      (createRequire(import.meta.url)('node:v8') as { setFlagsFromString(f: string): void }).setFlagsFromString(flag);
      // V8's code cache is tied to its flags: bin/limitsctl.js keeps none made after this
      (globalThis as Record<symbol, unknown>)[V8_FLAGS_CHANGED] = true;
    };
    let compilerTuned = false;
    let targetCount = 0;
    for await (const t of targets) {
      await turn();
      // a tree large enough, or a second tree, is worth less optimising-compiler work (tuneCompilerForLint)
      if (!compilerTuned) compilerTuned = tuneCompilerForLint(treeBytes(t), targetCount, process.versions.v8, process.execArgv, setV8Flag);
      targetCount++;
      // a tree's files are named only for files linted on their own (the JSON `profiles` entry)
      profiles.push({ root: t.root === null ? null : path.relative(io.cwd, t.root) || '.', files: t.root === null ? [...t.abs.keys()] : [], profile: canonicalProfile(t.target.tree.profile) });
      // a large tree's heap may grow twice what it holds while it is read and analysed
      // (tuneHeapForLint), and less once its findings are written (LINT_HEAP_WRITING_FLAG)
      const bigTree = heapTunable && tuneHeapForLint(treeBytes(t), process.versions.v8, process.execArgv, setV8Flag);
      // a tree's findings file by file (lint: one file's findings at a time are held, see
      // lintTargetStream), or all at once (what is left after --fix)
      let result: { suppressed: number; files: readonly string[] } & Iterable<readonly Diagnostic[]>;
      if (file !== null) reportOver(t, file.path);
      if (args.fix) {
        // a stream's bytes are on no disk: fixes are planned, never written (not even a dry run's
        // tree lock or recovery of an interrupted change)
        const { outcome, files: changes } = t.stream !== undefined ? planFix(t) : await fixAndWrite(t, planFix, { dryRun, onNote: io.stderr });
        for (const c of changes) fixed += c.fixes;
        if (fixToStdout && stdinBytes instanceof Buffer) {
          const c = changes.find((x) => x.file === t.stream);
          fixedFile = c ? Buffer.from(binaryToBytes(c.after)) : stdinBytes;
        }
        if (dryRun) {
          let diff = '';
          for (const c of changes) diff += await unifiedDiff(c.file, c.before, c.after);
          // the text format prints each tree's diff before its findings; JSON holds them in `diff`;
          // SARIF and GitHub keep stdout machine-readable: the diff goes to stderr
          if (format === 'json') diffs.push(diff);
          else if (format === 'text') { if (!out.closed) await emit(writer.aside(diff)); }
          else if (diff !== '') io.stderr(diff);
        }
        // what is left after fixing
        result = { suppressed: outcome.result.suppressed, files: outcome.result.files, [Symbol.iterator]: () => [outcome.result.diagnostics][Symbol.iterator]() };
      } else {
        if (out.closed && exitCodeOf(all, head.maxWarnings) === 1) break; // nobody reads, and the exit code is settled
        result = lintTargetStream(t.target, config);
      }
      // per finding: no await unless a block is full (an async call per finding cost about a
      // microsecond), and whether stdout's reader went away asked after each written block (it
      // can only change while the event loop runs: in flush() and turn()), not of the stream for
      // each finding
      const take = new FindingTaker((f) => ignored(settings, t.abs.get(f)), all, args.quiet === true ? shown : null, out, into, writer);
      let closed = out.closed;
      let writing = !bigTree;
      for (const part of result) {
        // its first findings come once the analysis the rules share is made: from here on what the
        // heap holds grows little, and what it gains is garbage of written findings
        if (!writing) { writing = true; setV8Flag(LINT_HEAP_WRITING_FLAG); }
        for (let i = 0; i < part.length;) {
          i = take.take(part, i, !closed);
          if (take.full) { take.full = false; await out.flush(); await turn(); closed = out.closed; }
        }
      }
      suppressed += result.suppressed;
      for (const f of result.files) files.add(f);
    }
    const tail: LintReportTail = {
      files: [...files],
      profiles,
      suppressed,
      fixed,
      ...(dryRun && format === 'json' ? { diff: diffs.join('') } : {}),
      summary: shown.summary(files.size),
      counted: { errors: all.errors, warnings: all.warnings },
      codes: shown.codes,
      dryRun,
    };
    await emit(writer.end(tail));
    await out.flush();
    if (fixedFile !== null) (io.stdoutBytes ?? ((b: Buffer) => { if (!(io.stdoutClosed?.() ?? false)) process.stdout.write(b); }))(fixedFile);
    return { code: exitCodeOf(all, head.maxWarnings), summary: tail.summary };
  }
}

/**
 * What lint does with each finding of a tree: counted (all; with --quiet only the errors are
 * shown and counted in `shown`), written unless its file matches ignorePatterns (asked once per
 * file, not once per finding). A small function of its own rather than a loop in the async
 * function that runs the whole report: V8 optimises a function once it has run for a while in
 * proportion to its size, and that one (a long body, resumed after every written block) ran the
 * first tens of thousands of findings unoptimised.
 */
class FindingTaker {
  /** set when `take` stopped because an output block is full (the caller flushes, then clears it) */
  full = false;
  private lastFile: string | null = null;
  private lastIgnored = false;

  constructor(
    private readonly isIgnored: (file: string) => boolean,
    private readonly all: LintTally,
    /** --quiet: where the shown (error) findings are counted; null: every finding is shown */
    private readonly quiet: LintTally | null,
    private readonly out: PumpWriter,
    private readonly into: ((d: Diagnostic, o: ByteOut) => void) | null,
    private readonly writer: { finding(d: Diagnostic): string },
  ) {}

  /**
   * The findings of `part` from index `from` on, written when `write`; returns the index after
   * the last one taken: part.length, or less when a block is full (`full`: flush, then go on).
   */
  take(part: readonly Diagnostic[], from: number, write: boolean): number {
    const n = part.length;
    for (let i = from; i < n; i++) {
      const d = part[i]!;
      if (d.file !== this.lastFile) { this.lastFile = d.file; this.lastIgnored = this.isIgnored(d.file); }
      if (this.lastIgnored) continue;
      this.all.add(d);
      if (this.quiet !== null) {
        if (d.severity !== 'error') continue;
        this.quiet.add(d);
      }
      if (write && (this.into !== null ? this.out.pushInto(this.into, d) : this.out.push(this.writer.finding(d)))) {
        this.full = true;
        return i + 1;
      }
    }
    return n;
  }
}

/** Bytes of a loaded tree's files (each file's text is its bytes, one character per byte). */
function treeBytes(t: LoadedLintTarget): number {
  let n = 0;
  for (const f of t.target.tree.files) n += f.doc?.text.length ?? 0;
  return n;
}

/** The tree size (bytes of its files) from which lint caps V8's heap growth (tuneHeapForLint). */
export const LINT_HEAP_TUNE_BYTES = 32 * 1024 * 1024;
/** The V8 setting tuneHeapForLint makes: the heap grows at most 2x between full collections. */
export const LINT_HEAP_FLAG = '--heap-growing-percent=100';
/**
 * The V8 setting lint makes, after LINT_HEAP_FLAG, once a large tree's first findings are
 * written: the heap grows at most 1.4x between full collections (docs/performance.md).
 */
export const LINT_HEAP_WRITING_FLAG = '--heap-growing-percent=40';

/**
 * Caps V8's heap growth for the rest of the process when lint is about to analyse a tree of at
 * least LINT_HEAP_TUNE_BYTES (bytes of its files): after each full garbage collection V8 lets the
 * heap grow by a factor of up to four before the next one, so a lint of a million lines peaked
 * at several times its live data; with LINT_HEAP_FLAG the factor is at most two (more collections
 * of a big heap, about the same CPU, a much lower peak). Set through node:v8 setFlagsFromString
 * before the tree's analysis (V8 reads the factor each time it sets a new heap limit), only on the
 * V8 it was measured with (`v8` starting 11.3., Node 20: V8 prints an error for a flag it does not
 * know), and never over a `--heap-growing-percent` on node's own command line (`execArgv`). A
 * smaller tree is left alone: its heap is not much larger than what lint holds, more collections
 * would cost CPU, and loading node:v8 costs a few milliseconds. Returns whether `set` was called;
 * lint then sets LINT_HEAP_WRITING_FLAG once the tree's first findings come, and this one again
 * before the next large tree. docs/performance.md, "The heap of a large lint".
 */
export function tuneHeapForLint(bytes: number, v8: string, execArgv: readonly string[], set: (flag: string) => void): boolean {
  if (bytes < LINT_HEAP_TUNE_BYTES || !v8.startsWith('11.3.')) return false;
  // V8 reads --heap_growing_percent as --heap-growing-percent
  if (execArgv.some((a) => a.replace(/_/g, '-').startsWith('--heap-growing-percent'))) return false;
  set(LINT_HEAP_FLAG);
  return true;
}

/**
 * The key (Symbol.for) of the global that says this process changed V8's flags at run time;
 * bin/limitsctl.js then keeps no code cache of the run: V8 stamps its cache with a hash of its
 * flags and rejects one made under other flags, so a cache made now would be compiled again and
 * rewritten by every later run.
 */
export const V8_FLAGS_CHANGED = Symbol.for('limitsctl.v8-flags-changed');

/**
 * The V8 setting tuneCompilerForLint makes: the optimising compiler (TurboFan) inlines at most
 * 200 bytes of bytecode into one function, not 920. The compiler runs on worker threads whose CPU
 * counts as lint's: on a repository of small trees, whose functions are optimised (and optimised
 * again after each deoptimisation) for a short run, it was more than half of lint's instructions,
 * and with this setting lint took 19 % fewer (callgrind, all threads, a 30-tree repository; 5 %
 * fewer on a 100,000-line tree, the same CPU within the noise on 1,000,000 lines).
 */
export const LINT_INLINING_FLAG = '--max-inlined-bytecode-size-cumulative=200';
/** Bytes of a tree's files from which tuneCompilerForLint makes its setting. */
export const LINT_INLINING_BYTES = 256 * 1024;

/**
 * Lowers the optimising compiler's inlining budget (LINT_INLINING_FLAG) for the rest of the
 * process when lint is about to analyse a tree of at least LINT_INLINING_BYTES or a second tree
 * (`index` ≥ 1: a repository): a small tree is done before much is optimised, and loading
 * node:v8 costs a start-up a few milliseconds. Only on the V8 it was measured with (`v8` starting
 * 11.3., Node 20: V8 prints an error for a flag it does not know) and never over the same setting
 * on node's own command line (`execArgv`). Returns whether `set` was called (once is enough: the
 * setting stays). docs/performance.md, "The optimising compiler".
 */
export function tuneCompilerForLint(bytes: number, index: number, v8: string, execArgv: readonly string[], set: (flag: string) => void): boolean {
  if ((bytes < LINT_INLINING_BYTES && index < 1) || !v8.startsWith('11.3.')) return false;
  if (execArgv.some((a) => a.replace(/_/g, '-').startsWith('--max-inlined-bytecode-size-cumulative'))) return false;
  set(LINT_INLINING_FLAG);
  return true;
}

function toolVersion(): string {
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
}

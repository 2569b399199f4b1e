import type { LoadedTree } from '../../io/tree.js';
import { profileInfo } from '../../core/schema.js';
import { type GlobalArgs, loadContextTree, makeContext, type CliIO, type ProfileSource } from '../context.js';
import { table, toJson } from '../output.js';
import { escapeControls as esc, terminalSafe } from '../../formatters/terminal.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';

export interface FilesArgs extends GlobalArgs {
  conf?: string;
}

/**
 * The status column of a file that is not read as it is. Most say why themselves; 'not evaluated'
 * has several reasons (a uid that may not read or list it, a name that is not UTF-8, a file above
 * the cap, one that changed while it was opened), so the file's own `error` follows it.
 */
const STATUS_TEXT: Record<string, string> = {
  ok: '',
  missing: 'missing',
  'dangling-symlink': 'dangling symlink',
  unreadable: 'unreadable',
  directory: 'a directory: read as empty',
  'outside-root': 'symlink outside --root: not followed',
  special: 'not a regular file: not read',
  'not-evaluated': 'not evaluated',
};

/** The `files --json` object without its `version` (demo --json reuses it). */
export function filesReport(tree: LoadedTree, source: ProfileSource) {
  return {
    root: tree.root,
    profile: tree.profile,
    profileSource: source,
    files: tree.files.map((f, i) => ({
      order: i + 1,
      path: f.path,
      role: f.role,
      status: f.status,
      lines: f.doc ? f.doc.lines.length : null,
      entries: f.doc ? f.doc.lines.reduce((n, l) => n + l.readings.filter((r) => r.kind === 'entry' || r.kind === 'nolimit').length, 0) : null,
      ...(f.realPath ? { realPath: f.realPath } : {}),
      ...(f.error ? { error: f.error } : {}),
      ...(f.fatal ? { fatal: f.fatal } : {}),
    })),
    ignored: tree.ignored.map((g) => ({ path: g.path, reason: g.reason, detail: g.detail })),
    failure: tree.failure,
  };
}

export async function run(args: FilesArgs, io: CliIO): Promise<number> {
  const ctx = makeContext(args, io);
  const tree = loadContextTree(ctx, args.conf);
  const report = filesReport(tree, ctx.profileSource);
  if (ctx.json) {
    io.stdout(`${toJson({ version: JSON_VERSIONS.files, ...report })}\n`);
    return tree.failure ? 1 : 0;
  }
  const c = ctx.colors;
  const out: string[] = [];
  const info = profileInfo(ctx.profile);
  out.push(`${c.bold('Profile:')} ${ctx.profile} — ${info.title}, ${info.package}`);
  out.push(c.dim(`  ${ctx.profileReason}`));
  if (info.unsure.length > 0) out.push(c.dim(`  not known for sure for this release: ${info.unsure.join(', ')} (docs/profiles.md)`));
  out.push('');
  out.push(c.bold(`Files pam_limits (${ctx.profile}) reads under ${esc(tree.root)}, in order:`));
  const status = (f: (typeof report.files)[number]): string =>
    f.status === 'not-evaluated' && f.error ? `${STATUS_TEXT[f.status]}: ${esc(f.error)}` : STATUS_TEXT[f.status] ?? f.status;
  const rows = report.files.map((f) => [
    String(f.order).padStart(2),
    esc(f.realPath ? `${f.path} -> ${f.realPath}` : f.path),
    f.lines === null ? '-' : `${f.lines} line${f.lines === 1 ? '' : 's'}`,
    f.entries === null ? '' : `${f.entries} entr${f.entries === 1 ? 'y' : 'ies'}`,
    f.fatal ? c.red(`${STATUS_TEXT[f.status]}: session fails`) : f.status === 'ok' ? '' : c.yellow(status(f)),
  ]);
  out.push(table(rows));
  if (report.ignored.length > 0) {
    out.push('', c.bold('Ignored:'));
    out.push(table(report.ignored.map((g) => [esc(g.path), c.dim(esc(g.detail))])));
  }
  if (tree.failure) out.push('', c.red(`pam_limits fails: ${esc(tree.failure.reason)}`));
  io.stdout(terminalSafe(`${out.join('\n')}\n`, c.enabled));
  return tree.failure ? 1 : 0;
}

/**
 * `limitsctl profiles [name..]`: the profile table (src/core/schema.ts PROFILES) as users see it.
 * Without a name, one row per release profile with the traits that differ between releases, the
 * cells not known for sure marked `?`, and the aliases; with names (profiles or aliases), each
 * row in full: every trait, the os-release patterns `auto` matches, the items only some releases
 * know, the unsure cells. `--json` gives the rows as data (docs/schemas/profiles.schema.json).
 *
 * Reads nothing and writes nothing: `--root` is accepted as by every command and not used
 * (`limitsctl files --root T` says which profile a tree is detected as).
 */
import {
  FALLBACK_PROFILE, isProfileName, ITEMS, type OsPattern, type ProfileCell, type ProfileInfo, PROFILE_ALIASES, PROFILES,
  profileInfo,
} from '../../core/schema.js';
import { suggestProfile } from '../../core/profiles.js';
import { type CliIO, type GlobalArgs, wantColor } from '../context.js';
import { UsageError } from '../errors.js';
import { type Colors, makeColors, table, toJson } from '../output.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';

export interface ProfilesArgs extends GlobalArgs {
  /** profile names or aliases to show in full (none: the whole table) */
  name?: string[];
}

/** Where the evidence behind every cell is written down. */
const DOC = 'docs/profiles.md';

/**
 * One profile as `profiles --json` writes it (docs/schemas/profiles.schema.json): the table row
 * of src/core/schema.ts. `pamVersion` is the Linux-PAM release whose pam_limits.c the build
 * follows; `os` the os-release patterns `--profile auto` matches (empty for plain builds);
 * `traits` the ProfileTraits; `unsure` the cells (trait names or `pamVersion`) not known for sure.
 */
export interface ProfileJson {
  readonly name: string;
  readonly title: string;
  readonly package: string;
  readonly pamVersion: string;
  readonly aliases: readonly string[];
  readonly os: readonly OsPattern[];
  readonly traits: ProfileInfo['traits'];
  readonly unsure: readonly ProfileCell[];
}

function profileJson(p: ProfileInfo): ProfileJson {
  return {
    name: p.name, title: p.title, package: p.package, pamVersion: p.pamVersion, aliases: p.aliases,
    os: p.os.map((o) => ({ ...o })), traits: { ...p.traits }, unsure: p.unsure,
  };
}

/** The profiles the names stand for (aliases resolved, each once, in the order given). */
function pick(names: readonly string[]): ProfileInfo[] {
  const out: ProfileInfo[] = [];
  for (const name of names) {
    if (name === 'auto') {
      throw new UsageError("'auto' is not a profile: it picks one from <root>/etc/os-release",
        "Run 'limitsctl files --root DIR' to see which profile a tree is read as, or 'limitsctl profiles' for the list.");
    }
    if (!isProfileName(name)) {
      const guess = suggestProfile(name);
      throw new UsageError(`unknown profile '${name}'${guess ? ` (did you mean '${guess}'?)` : ''}`,
        `Run 'limitsctl profiles' for the list (aliases: ${Object.keys(PROFILE_ALIASES).join(', ')}).`);
    }
    const p = profileInfo(name);
    if (!out.includes(p)) out.push(p);
  }
  return out;
}

/** A cell, with `?` when one of the traits behind it is not known for sure. */
function cell(p: ProfileInfo, cells: readonly ProfileCell[], text: string, c: Colors): string {
  return cells.some((x) => p.unsure.includes(x)) ? `${text}${c.yellow('?')}` : text;
}

function nofileText(p: ProfileInfo): string {
  if (p.traits.nofileUnlimited === 'nr-open') return 'nr-open';
  return p.traits.epermNotFatal ? 'infinity: ignored' : 'infinity: denied';
}

/** The Debian patches a row has, each marked `?` when not known for sure (an unsure one it lacks: `no-NAME?`). */
function debianText(p: ProfileInfo, c: Colors): string {
  const t = p.traits;
  const patches: ReadonlyArray<readonly [string, boolean, readonly ProfileCell[]]> = [
    ['root-exempt', t.rootExempt, ['rootExempt']],
    ['pid1', t.pid1Baseline, ['pid1Baseline', 'debianKernelLimits']],
    ['eperm-ok', t.epermNotFatal, ['epermNotFatal']],
    ['chroot', t.chroot, ['chroot']],
  ];
  const shown = patches.flatMap(([name, on, cells]) => {
    const unsure = cells.some((x) => p.unsure.includes(x));
    if (on) return [unsure ? `${name}${c.yellow('?')}` : name];
    return unsure ? [`no-${name}${c.yellow('?')}`] : [];
  });
  return shown.length ? shown.join(' ') : 'none';
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

function listText(c: Colors): string {
  const head = ['profile', 'title', 'package', 'Linux-PAM', 'reading', 'nofile unlimited', 'missing file', 'vendor dir', 'maxlogins', 'Debian patches'];
  const row = (p: ProfileInfo) => [
    p.name, p.title, p.package,
    cell(p, ['pamVersion'], p.pamVersion, c),
    cell(p, ['reading'], p.traits.reading, c),
    cell(p, ['nofileUnlimited', 'epermNotFatal'], nofileText(p), c),
    cell(p, ['missingFileFatal'], p.traits.missingFileFatal ? 'fatal' : 'tolerated', c),
    cell(p, ['vendorDir'], p.traits.vendorDir === null ? 'none' : `/${p.traits.vendorDir}`, c),
    cell(p, ['maxlogins'], p.traits.maxlogins, c),
    debianText(p, c),
  ];
  const plain = PROFILES.filter((p) => p.os.length === 0);
  const distro = PROFILES.filter((p) => p.os.length > 0);
  const rows = [head.map((h) => c.bold(h)), ...plain.map(row), [''], ...distro.map(row)];
  const aliases = Object.entries(PROFILE_ALIASES).map(([a, n]) => `${a} = ${n}`).join(', ');
  return [
    table(rows),
    '',
    `${c.bold('Aliases:')} ${aliases}`,
    `${c.bold('auto')} (the default of --profile) picks one from <root>/etc/os-release; without a match, ${FALLBACK_PROFILE} with a warning.`,
    `Debian patches: root-exempt = root ignores * and @group lines; pid1 = every item starts from PID 1's limits;`,
    `  eperm-ok = setrlimit EPERM is not fatal; chroot = the chroot item.`,
    `${c.yellow('?')} = not known for sure for that release; ${DOC} gives the evidence for every cell. 'limitsctl profiles NAME' shows one in full.`,
  ].join('\n');
}

function osPatternText(o: OsPattern): string {
  const parts = [`ID=${o.id}`];
  if (o.version !== undefined) parts.push(o.below !== undefined ? `VERSION_ID=${o.version}.x below ${o.below}` : `VERSION_ID=${o.version}${o.version.includes('.') ? '' : ' or ' + o.version + '.x'}`);
  if (o.codename !== undefined) parts.push(`${o.version !== undefined ? 'or ' : ''}${o.id === 'ubuntu' ? 'UBUNTU_CODENAME' : 'VERSION_CODENAME'}=${o.codename}`);
  if (o.version === undefined && o.codename === undefined) parts.push('(any version)');
  return parts.join(' ');
}

const READING_TEXT: Record<ProfileInfo['reading'], string> = {
  fgets: '1023-byte pieces, any white space separates, a 5th field is ignored (Linux-PAM <= 1.5.3)',
  'getline-1.6.0': "the value is the rest of the line, untrimmed: aligned 'unlimited'/'-' and 'nonewprivs 1' fail (1.6.0, linux-pam #761)",
  getline: 'fields split at spaces and tabs, the value is the rest of the line, trimmed (1.6.1 and later)',
};

/** Items that some profiles know and others do not, with the rule that decides. */
const GATED: ReadonlyArray<{ item: string; rule: string }> = [
  { item: 'nonewprivs', rule: 'Linux-PAM >= 1.5.0' },
  { item: 'rttime', rule: 'Linux-PAM >= 1.7.1' },
  { item: 'chroot', rule: "Debian's patch" },
];

function detailText(p: ProfileInfo, asked: readonly string[], c: Colors): string {
  const t = p.traits;
  // the value, `?` right after it when not known for sure, then what it means
  const mark = (cells: readonly ProfileCell[], value: string, meaning = '') => `${cell(p, cells, value, c)}${meaning ? `: ${meaning}` : ''}`;
  const flag = (cells: readonly ProfileCell[], on: boolean, meaning: string) => mark(cells, yesNo(on), on ? meaning : '');
  const aliasOf = asked.filter((a) => a !== p.name && (PROFILE_ALIASES as Record<string, string>)[a] === p.name);
  const out: string[] = [`${c.bold(p.name)} — ${p.title}, ${p.package}`];
  if (aliasOf.length) out.push(c.dim(`  (${aliasOf.join(', ')} ${aliasOf.length === 1 ? 'is an alias' : 'are aliases'} of ${p.name})`));
  const rows: string[][] = [
    ['Linux-PAM', mark(['pamVersion'], p.pamVersion)],
    ['line reading', mark(['reading'], t.reading, READING_TEXT[t.reading])],
    ['nofile unlimited', t.nofileUnlimited === 'nr-open'
      ? mark(['nofileUnlimited'], 'nr-open', 'becomes fs.nr_open')
      : mark(['nofileUnlimited'], 'infinity', `RLIM_INFINITY, which the kernel refuses (EPERM): ${t.epermNotFatal ? 'ignored, nofile keeps its value' : 'the session is DENIED (PAM_PERM_DENIED)'}`)],
    ['missing file fatal', mark(['missingFileFatal'], yesNo(t.missingFileFatal), t.missingFileFatal
      ? 'a missing limits.conf or a vanished drop-in stops the module (PAM_SERVICE_ERR)'
      : 'read as empty (a conf= file is fatal in every release)')],
    ['vendor dir', t.vendorDir === null ? mark(['vendorDir'], 'none')
      : mark(['vendorDir'], `/${t.vendorDir}`, 'its limits.conf when /etc has none; its limits.d files unless /etc has the name')],
    ['maxlogins counting', mark(['maxlogins'], t.maxlogins, t.maxlogins === 'logind' ? 'systemd-logind sessions (maxlogins 1 is not enforced)' : '')],
    ['root exempt', flag(['rootExempt'], t.rootExempt, 'uid 0 ignores *, @group and %group lines (Debian)')],
    ['PID 1 baseline', flag(['pid1Baseline'], t.pid1Baseline, "every item starts from PID 1's limits (Debian)")],
    ['Debian kernel limits', flag(['debianKernelLimits'], t.debianKernelLimits,
      `fallbacks for rows /proc/1/limits lacks, nofile soft <= 1024${t.pid1Baseline ? '' : ' (with set_all)'}`)],
    ['EPERM not fatal', flag(['epermNotFatal'], t.epermNotFatal, 'a refused setrlimit keeps the old value (Debian)')],
    ['chroot item', flag(['chroot'], t.chroot, "Debian's patch")],
  ];
  const items = GATED.map(({ item, rule }) => {
    const known = ITEMS.find((i) => i.name === item)?.profiles.includes(p.name) ?? false;
    return `${item} ${known ? 'yes' : 'no'} (${rule})`;
  });
  rows.push(['items', items.join('; ')]);
  rows.push(['os-release (auto)', p.os.length
    ? [...p.os.map(osPatternText), c.dim('(each ID also matches a word of ID_LIKE: derivatives)')].join('\n')
    : `none: a plain build, chosen with --profile${p.name === FALLBACK_PROFILE ? ' (and by auto when no release matches)' : ''}`]);
  rows.push(['aliases', p.aliases.length ? p.aliases.join(', ') : 'none']);
  rows.push(['not known for sure', p.unsure.length ? `${p.unsure.join(', ')} (${DOC} says why)` : 'nothing']);
  // a value on several lines: the first beside its label, the rest under it
  const width = Math.max(...rows.map(([k]) => k!.length)) + 2;
  for (const [k, v] of rows) {
    const [first, ...rest] = v!.split('\n');
    out.push(`  ${`${k}:`.padEnd(width)}${first}`);
    for (const r of rest) out.push(`  ${' '.repeat(width)}${r}`);
  }
  return out.join('\n');
}

export async function run(args: ProfilesArgs, io: CliIO): Promise<number> {
  const names = args.name ?? [];
  // --profile NAME is another way to name one profile (auto, the default, names none)
  if (args.profile !== undefined && args.profile !== 'auto') {
    if (names.length > 0) throw new UsageError(`give the profiles to show as names or as --profile, not both (got ${names.join(' ')} and --profile ${args.profile})`);
    names.push(args.profile);
  }
  const shown = names.length ? pick(names) : [...PROFILES];
  if (args.json) {
    io.stdout(`${toJson({ version: JSON_VERSIONS.profiles, profiles: shown.map(profileJson) })}\n`);
    return 0;
  }
  const c = makeColors(wantColor(io, args.color));
  if (names.length === 0) {
    io.stdout(`${listText(c)}\n`);
    return 0;
  }
  const blocks = shown.map((p) => detailText(p, names, c));
  const footer = shown.some((p) => p.unsure.length > 0) ? `${c.yellow('?')} = not known for sure; ${DOC} gives the evidence for every cell.\n` : '';
  io.stdout(`${blocks.join('\n\n')}\n${footer}`);
  return 0;
}

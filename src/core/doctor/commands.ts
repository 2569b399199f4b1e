/**
 * Command lines grouped into patterns (doctor's "Top commands"): rewritten process titles lose
 * their variable middle, interpreters keep their script. Pure.
 */

export type CommandHint = 'ssh-mux' | 'thread-heavy';

const INTERPRETERS = new Set(['python', 'python2', 'python3', 'perl', 'ruby', 'node', 'nodejs', 'php', 'java', 'bash', 'sh', 'dash', 'zsh', 'ksh']);

function basename(s: string): string {
  const t = s.replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1) || s;
}

/**
 * A group key for a command line: rewritten titles ("ssh: /home/a/.ssh/cm-a@h:22 [mux]") lose
 * their variable middle, interpreters keep their script, everything else is the program name.
 */
export function commandKey(argv: readonly string[], comm: string, state: string): { key: string; hint: CommandHint | null } {
  if (argv.length === 0 || (argv.length === 1 && argv[0] === '')) {
    return { key: state === 'Z' ? `${comm} <defunct>` : `[${comm}]`, hint: null };
  }
  const args = argv[argv.length - 1] === '' ? argv.slice(0, -1) : argv;
  const title = args.join(' ');
  const rewritten = title.match(/^([\w.@+-]+): (.*?)( \[[\w -]+\])?$/);
  if (rewritten && !args[0]!.startsWith('/') && (args.length === 1 || args[0]!.endsWith(':'))) {
    const key = `${rewritten[1]}: …${rewritten[3] ?? ''}`;
    return { key, hint: rewritten[1] === 'ssh' && rewritten[3] === ' [mux]' ? 'ssh-mux' : null };
  }
  // a title rewritten into argv[0] with blanks ("npm exec tsc ...", "nginx worker"): split it
  const words = args.length === 1 && /\s/.test(args[0]!.trim()) ? args[0]!.trim().split(/\s+/) : args;
  if (sshMasterOf(words)) return { key: SSH_MASTER_KEY, hint: 'ssh-mux' };
  return keyOfWords(words);
}

/** The group key of SSH multiplexing masters recognised by their argv (sshMasterOf). */
export const SSH_MASTER_KEY = 'ssh (ControlMaster, in the background)';

/** What doctor knows of one SSH multiplexing master, from its title or its argv. */
export interface SshMaster {
  /** how it was recognised: the `ssh: PATH [mux]` title, or its command line */
  readonly by: 'title' | 'argv';
  /** the host argument (argv), or the host of the control path (title); null when unknown */
  readonly host: string | null;
  /** the control socket: `-S`, the first `-o ControlPath=`, or the title's path; null = ssh_config's */
  readonly controlPath: string | null;
  /** the first `-o ControlPersist=` value as written; null when not on the command line */
  readonly controlPersist: string | null;
}

/**
 * ssh's option letters (OpenSSH ssh.c getopt string, openssh-portable 99a2df5e ssh.c:713:
 * "1246ab:c:e:fgi:kl:m:no:p:qstvxAB:CD:E:F:GI:J:KL:MNO:P:Q:R:S:TVw:W:XYy"): these take an argument.
 */
const SSH_OPTS_WITH_ARG = new Set('bceilmopBDEFIJLOPQRSwW');
/** ControlMaster values that make a master (readconf.c multistate_controlmaster; case-insensitive). */
const MASTER_VALUES = new Set(['yes', 'true', 'ask', 'auto', 'autoask']);

/** One `-o` argument as ssh's readconf reads it: "Key=Value", "Key Value", "Key = Value". */
function sshOption(text: string): { key: string; value: string } | null {
  const m = text.match(/^\s*([^\s=]+)\s*(?:=\s*|\s+)(.*?)\s*$/);
  return m ? { key: m[1]!.toLowerCase(), value: m[2]!.replace(/^"(.*)"$/, '$1') } : null;
}

/**
 * An `ssh` command line that runs a multiplexing master in the background, else null.
 *
 * A master is `-M`/`-MM`, or the first `-o ControlMaster=` value yes/ask/auto/autoask (ssh
 * keeps the first value obtained for a config option; `-M` sets it whatever came before). It is
 * in the background, serving other sessions, when it has `-N` (no session of its own) or `-f`
 * (forks after authentication). Such a master keeps its argv: OpenSSH retitles a master
 * `ssh: PATH [mux]` only in control_persist_detach(), which runs when ControlPersist detaches a
 * master from a session it was started with (ssh.c ssh_session2, `need_controlpersist_detach`
 * is not set for `-N`). A foreground `ssh -o ControlMaster=auto host cmd` is not counted: it is
 * a client of an existing master, or a master that ends with its own session (with
 * ControlPersist its detached child carries the `[mux]` title and is counted by that).
 * `-O cmd` (a control request such as `ssh -O exit`) is never a master.
 *
 * Options are read as ssh reads them: clustered letters (`-fNM`), an argument attached or in the
 * next word (`-oControlMaster=yes`, `-S path`), and options after the host (ssh parses again
 * after it) up to the command or `--`.
 */
export function sshMasterOf(argv: readonly string[]): SshMaster | null {
  if (argv.length < 2 || basename(argv[0]!) !== 'ssh') return null;
  let m = 0;
  let controlMaster: string | null = null;
  let controlPath: string | null = null;
  let sPath: string | null = null;
  let persist: string | null = null;
  let background = false;
  let control = false;
  let host: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      if (host === null && argv[i + 1] !== undefined) host = argv[i + 1]!;
      break;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        if (SSH_OPTS_WITH_ARG.has(c)) {
          const arg = j + 1 < a.length ? a.slice(j + 1) : argv[++i] ?? '';
          if (c === 'o') {
            const o = sshOption(arg);
            if (o?.key === 'controlmaster' && controlMaster === null) controlMaster = o.value.toLowerCase();
            else if (o?.key === 'controlpath' && controlPath === null) controlPath = o.value;
            else if (o?.key === 'controlpersist' && persist === null) persist = o.value;
          } else if (c === 'S') sPath = arg;
          else if (c === 'O') control = true;
          break;
        }
        if (c === 'M') m++;
        else if (c === 'N' || c === 'f') background = true;
      }
      continue;
    }
    if (host !== null) break; // the command starts here
    host = a;
  }
  const master = m > 0 || (controlMaster !== null && MASTER_VALUES.has(controlMaster));
  if (!master || !background || control) return null;
  return { by: 'argv', host, controlPath: sPath ?? controlPath, controlPersist: persist };
}

/** The master a `ssh: PATH [mux]` title names (its path; the host after the last `@`). */
export function sshMasterOfTitle(title: string): SshMaster | null {
  const m = title.match(/^ssh: (.*) \[mux\]$/);
  if (!m) return null;
  const host = m[1]!.match(/@([^:/\s]+)(?::\d+)?$/)?.[1] ?? null;
  return { by: 'title', host, controlPath: m[1]!, controlPersist: null };
}

function keyOfWords(args: readonly string[]): { key: string; hint: CommandHint | null } {
  let prog = basename(args[0]!);
  if (prog.startsWith('-')) prog = prog.slice(1); // login shell
  const interp = prog.replace(/[\d.]+$/, '');
  if (INTERPRETERS.has(prog) || INTERPRETERS.has(interp)) {
    if (args[1] === '-c') return { key: `${prog} -c …`, hint: null };
    if (interp === 'java') {
      const jar = args.indexOf('-jar');
      if (jar >= 0 && args[jar + 1]) return { key: `java -jar ${basename(args[jar + 1]!)}`, hint: null };
      for (let i = 1; i < args.length; i++) {
        const a = args[i]!;
        if (a === '-cp' || a === '-classpath' || a === '--class-path' || a === '-p' || a === '--module-path') { i++; continue; }
        if (!a.startsWith('-')) return { key: `java ${a}`, hint: null };
      }
      return { key: 'java', hint: null };
    }
    for (let i = 1; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-m' && args[i + 1]) return { key: `${prog} -m ${args[i + 1]}`, hint: null };
      if (!a.startsWith('-')) return { key: `${prog} ${a.startsWith('/dev/fd/') || a.startsWith('/proc/') ? a : basename(a)}`, hint: null };
    }
  }
  return { key: prog.length > 60 ? `${prog.slice(0, 59)}…` : prog, hint: null };
}

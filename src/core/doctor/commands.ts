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
  return keyOfWords(words);
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

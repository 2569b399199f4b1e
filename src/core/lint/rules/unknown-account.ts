import { type FileReadings, ownerIn, readingIndex, show } from '../helpers.js';
import { contentAt } from '../../parse.js';
import { suggester } from '../../suggest.js';
import type { LintAccounts, Rule } from '../types.js';

interface Lookups {
  readonly users: ReadonlySet<string>;
  readonly groups: ReadonlySet<string>;
  readonly gids: ReadonlySet<number>;
  readonly byLower: ReadonlyMap<string, string>;
  readonly guessUser: (name: string) => string | null;
  readonly guessGroup: (name: string) => string | null;
  /**
   * the message of each domain text met so far (null: none): a function of the text and the
   * accounts alone, worked out once per distinct domain, not once per line (a guess compares
   * with every name) — kept across the files of a tree, since the rule runs once per file
   */
  readonly said: Map<string, string | null>;
}

/** per tree's accounts: indexed once, so a file of many unknown names against a large etc/passwd stays linear */
const lookups = new WeakMap<LintAccounts, Lookups>();

function lookupsOf(acc: LintAccounts): Lookups {
  const users = new Set(acc.db.users.map((u) => u.name));
  const userNames = [...users];
  const groups = new Set(acc.db.groups.map((g) => g.name));
  const byLower = new Map<string, string>();
  for (const u of userNames) { const k = u.toLowerCase(); if (!byLower.has(k)) byLower.set(k, u); }
  return {
    users, groups, gids: new Set(acc.db.groups.map((g) => g.gid)), byLower,
    guessUser: suggester(userNames), guessGroup: suggester([...groups]), said: new Map(),
  };
}

export const unknownAccount: Rule = {
  code: 'LC304',
  name: 'unknown-account',
  category: 'files',
  severity: 'warning',
  description: "A user or group the tree's etc/passwd or etc/group does not have (checked only when the tree has them): the line applies to nobody there.",
  fixable: false,
  scope: 'file',
  check(ctx) {
    const acc = ctx.accounts;
    if (!acc || !acc.hasPasswd) return;
    let known = lookups.get(acc);
    if (!known) lookups.set(acc, (known = lookupsOf(acc)));
    const { users, groups, gids, byLower, guessUser, guessGroup, said } = known;
    const one = (fr: FileReadings, r: FileReadings['dashes'][number]): void => {
      const d = r.domainSpec;
      // the message first (one Map lookup for a domain met before): most lines name a known
      // account, and then which syntax rule owns the line does not matter
      let message = said.get(d.text);
      if (message === undefined) {
        message = null;
        // a '-' domain is LC013's (meant as everyone, reported with or without etc/passwd)
        if (d.kind === 'user' && !users.has(d.text) && d.text !== '-') {
          const ci = byLower.get(d.text.toLowerCase());
          const guess = ci ?? guessUser(d.text);
          message = `no account '${show(d.text)}' in this tree's etc/passwd: the line applies to nobody here${ci ? ` (user names are case-sensitive: did you mean '${ci}'?)` : guess ? `. Did you mean '${guess}'?` : ''}`;
        } else if (acc.hasGroup && (d.kind === 'group' || d.kind === 'percent-group') && !groups.has(d.group!)) {
          const guess = guessGroup(d.group!);
          message = `no group '${show(d.group!)}' in this tree's etc/group: the line applies to nobody here${guess ? `. Did you mean '${d.text[0]}${guess}'?` : ''}`;
        } else if (acc.hasGroup && (d.kind === 'gid' || d.kind === 'percent-gid') && d.range.form === 'one' && !gids.has(d.range.min)) {
          message = `no group with gid ${d.range.min} in this tree's etc/group: pam_limits matches '${show(d.text)}' only for members of an existing group, so the line applies to nobody here`;
        }
        if (said.size < 65536) said.set(d.text, message);
      }
      if (message !== null && ownerIn(fr, r, !!r.problem) === null) ctx.report({ file: fr.file, span: r.domain, message });
    };
    // the entries, then the "no limits" lines (the engine sorts a file's findings by position)
    for (const fr of readingIndex(ctx)) {
      // the entries read from the lines (contentAt: no array per line, no list of them kept, no
      // reading object made for a blank or comment line)
      const lines = fr.doc.lines;
      for (let l = 0; l < lines.length; l++) {
        const line = lines[l]!;
        for (let chunk = 0; ; chunk++) {
          const r = contentAt(line, chunk);
          if (r === undefined) break;
          if (r !== null && r.kind === 'entry') one(fr, r);
        }
      }
      for (const r of fr.others) if (r.kind === 'nolimit') one(fr, r);
    }
  },
};

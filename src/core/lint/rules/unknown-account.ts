import { readings, show, syntaxOwner } from '../helpers.js';
import { suggester } from '../../suggest.js';
import type { Rule } from '../types.js';

export const unknownAccount: Rule = {
  code: 'LC304',
  name: 'unknown-account',
  category: 'files',
  severity: 'warning',
  description: "A user or group the tree's etc/passwd or etc/group does not have (checked only when the tree has them): the line applies to nobody there.",
  fixable: false,
  check(ctx) {
    const acc = ctx.accounts;
    if (!acc || !acc.hasPasswd) return;
    const users = new Set(acc.db.users.map((u) => u.name));
    const userNames = [...users];
    const groups = new Set(acc.db.groups.map((g) => g.name));
    const gids = new Set(acc.db.groups.map((g) => g.gid));
    // indexed once: a file of many unknown names against a large etc/passwd stays linear
    const byLower = new Map<string, string>();
    for (const u of userNames) { const k = u.toLowerCase(); if (!byLower.has(k)) byLower.set(k, u); }
    const guessUser = suggester(userNames);
    const guessGroup = suggester([...groups]);
    // the message is a function of the domain's text (its spec is parsed from it): worked out
    // once per distinct domain, not once per line (a guess compares with every name)
    const said = new Map<string, string | null>();
    for (const { file, reading: r } of readings(ctx)) {
      if ((r.kind !== 'entry' && r.kind !== 'nolimit') || syntaxOwner(r) !== null) continue;
      const d = r.domainSpec;
      const known = said.get(d.text);
      if (known !== undefined) {
        if (known !== null) ctx.report({ file, span: r.domain, message: known });
        continue;
      }
      let message: string | null = null;
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
      if (said.size < 65536) said.set(d.text, message || null);
      if (message) ctx.report({ file, span: r.domain, message });
    }
  },
};

/**
 * `limitsctl rules [RULE..] [--json]`: the lint rule registry (src/core/lint/rules.ts) as users
 * see it. Without a rule, one row per rule: code, name, category, default severity, whether it
 * has safe fixes, and what it finds; with rules (codes or names, as settings and
 * `limitsctl-disable` comments take them), each in full with its docs/rules.md section.
 * `--json` gives the rows as data: `{version, rules: [{code, name, category, severity, fixable,
 * description, docs}]}` (docs/schemas/rules.schema.json). `docs` is the section as a path in the
 * package, or under LIMITSCTL_DOCS_URL when set (docs/lint.md, "Documentation links").
 *
 * Severities are the defaults: a settings file may change them (`lint --format json` lists the
 * effective ones). Reads nothing and writes nothing: `--root` and `--profile` are accepted as by
 * every command and not used. An unknown rule is a usage error (exit 2) with a did-you-mean.
 */
import { docsLink, RULES_DOC, ruleDocsUrl } from '../../core/lint/report.js';
import { RULES } from '../../core/lint/rules.js';
import type { RuleMeta } from '../../core/lint/types.js';
import { didYouMean } from '../../core/suggest.js';
import { JSON_VERSIONS } from '../../formatters/json-versions.js';
import { type CliIO, type GlobalArgs, wantColor } from '../context.js';
import { docsBaseUrl } from '../docs-url.js';
import { UsageError } from '../errors.js';
import { type Colors, makeColors, table, toJson } from '../output.js';

export interface RulesArgs extends GlobalArgs {
  /** rule codes or names to show in full (none: the whole table) */
  rule?: string[];
}

/** One rule as `rules --json` writes it (docs/schemas/rules.schema.json). */
export interface RuleJson {
  readonly code: string;
  readonly name: string;
  readonly category: RuleMeta['category'];
  /** the default severity */
  readonly severity: RuleMeta['severity'];
  readonly fixable: boolean;
  readonly description: string;
  /** the rule's docs/rules.md section */
  readonly docs: string;
}

function ruleJson(r: RuleMeta, base: string | undefined): RuleJson {
  return { code: r.code, name: r.name, category: r.category, severity: r.severity, fixable: r.fixable, description: r.description, docs: ruleDocsUrl(r, base) };
}

/** The rules the words stand for (codes in any case, or names), each once, in the order given. */
function pick(words: readonly string[]): RuleMeta[] {
  const out: RuleMeta[] = [];
  for (const w of words) {
    const r = RULES.find((x) => x.code === w.toUpperCase() || x.name === w);
    if (!r) {
      const candidates = RULES.flatMap((x) => [x.code.toLowerCase(), x.name]);
      const guess = didYouMean(w.toLowerCase(), candidates);
      const shown = guess === null ? null : /^lc\d+$/.test(guess) ? guess.toUpperCase() : guess;
      throw new UsageError(`unknown rule '${w}'${shown ? ` (did you mean '${shown}'?)` : ''}`,
        "Run 'limitsctl rules' for the list: a code (LC003) or a name (unknown-item).");
    }
    if (!out.includes(r)) out.push(r);
  }
  return out;
}

const SEVERITY = (c: Colors, s: RuleMeta['severity']) => (s === 'error' ? c.red(s) : s === 'warning' ? c.yellow(s) : c.cyan(s));

function listText(c: Colors, base: string | undefined): string {
  const rows = [
    ['code', 'name', 'category', 'severity', 'fixable', 'finds'].map((h) => c.bold(h)),
    ...RULES.map((r) => [r.code, r.name, r.category, SEVERITY(c, r.severity), r.fixable ? 'yes' : '', r.description]),
  ];
  return [
    table(rows),
    '',
    `Severities are the defaults (change them in .limitsctl.ini, [rules]). Each rule has a section in ${docsLink(RULES_DOC, base)}`,
    `  (e.g. ${ruleDocsUrl(RULES[2]!, base)}).`,
    "'limitsctl rules CODE|NAME' shows one rule in full.",
  ].join('\n');
}

function detailText(r: RuleMeta, c: Colors, base: string | undefined): string {
  return [
    `${c.bold(`${r.code} ${r.name}`)} — ${r.description}`,
    `  category: ${r.category}`,
    `  severity: ${SEVERITY(c, r.severity)} (default)`,
    `  fixable:  ${r.fixable ? 'yes (lint --fix)' : 'no'}`,
    `  docs:     ${ruleDocsUrl(r, base)}`,
  ].join('\n');
}

export async function run(args: RulesArgs, io: CliIO): Promise<number> {
  const words = args.rule ?? [];
  const shown = words.length ? pick(words) : [...RULES];
  const base = docsBaseUrl(io.env);
  if (args.json) {
    io.stdout(`${toJson({ version: JSON_VERSIONS.rules, rules: shown.map((r) => ruleJson(r, base)) })}\n`);
    return 0;
  }
  const c = makeColors(wantColor(io, args.color));
  io.stdout(`${words.length ? shown.map((r) => detailText(r, c, base)).join('\n\n') : listText(c, base)}\n`);
  return 0;
}

/**
 * Glob patterns for the settings file's `ignore[]` (docs/lint.md, "Settings"), matched against
 * '/'-separated paths relative to the settings file's directory, with picomatch 4 (POSIX
 * flavour: no platform check, `\` read as `/` below):
 *
 * - `*` and `?` stay within one path segment and match names that begin with a dot;
 * - `**` crosses segments (`hosts/**`, `**\/*.rpmnew`);
 * - `[abc]`, `[a-z]`, `[!a-z]` (or `[^a-z]`) and `[[:digit:]]` match one character;
 * - `{a,b}` and `{1..3}` are alternatives;
 * - a pattern without '/' matches a name at any depth (like .gitignore), and a pattern that
 *   matches a directory matches everything below it.
 *
 * Refused with a {@link GlobError}: a pattern picomatch cannot compile (`[z-a]`), an unclosed or
 * unopened bracket, brace or parenthesis (`{a,b`, `[a`, `a]`), and a leading `!` (in .gitignore
 * it re-includes what an earlier line left out; here every pattern only leaves files out, so it
 * would be read the other way round). Extglobs (`@(a|b)`) are not special. Pure.
 */
import picomatch from 'picomatch/posix.js';

/** A pattern that cannot be used; the message says why, without the file (the caller adds it). */
export class GlobError extends Error {
  constructor(readonly pattern: string, readonly reason: string) {
    super(`${pattern}: ${reason}`);
    this.name = 'GlobError';
  }
}

const OPTIONS: picomatch.PicomatchOptions = {
  dot: true,
  // `[!a]` as the shell reads it (without posix, picomatch 4.0.7 reads it as "! or a")
  posix: true,
  // an unbalanced bracket, brace or parenthesis is an error, not a literal character
  strictBrackets: true,
  // a regular expression that does not compile throws instead of matching nothing
  debug: true,
  noextglob: true,
  nonegate: true,
};

/**
 * The regular expression for one `ignore[]` pattern (see the module comment).
 * @throws GlobError for a pattern that cannot be used
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.replace(/\\/g, '/');
  if (p.startsWith('!')) throw new GlobError(pattern, "a leading '!' (negation) is not supported: every ignore[] pattern leaves files out");
  while (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('/')) p = p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  if (p === '') throw new GlobError(pattern, 'an empty pattern');
  const anchored = p.includes('/') && !p.startsWith('**/');
  const full = `${anchored || p.startsWith('**/') ? '' : '**/'}${p}`;
  try {
    // the path itself, or a path below it (a directory covers everything below it); `*/**` alone
    // would not match `.x` itself
    const self = picomatch.makeRe(full, OPTIONS);
    const below = picomatch.makeRe(`${full}/**`, OPTIONS);
    return new RegExp(`${self.source}|${below.source}`);
  } catch (e) {
    const why = (e as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /, '').replace(/ - use .*$/, '');
    throw new GlobError(pattern, why.charAt(0).toLowerCase() + why.slice(1));
  }
}

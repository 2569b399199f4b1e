/**
 * Glob patterns for the settings file's `ignore[]`, matched against '/'-separated paths relative
 * to the settings file's directory: `*` and `?` stay within one path segment, `**` crosses
 * segments, `[abc]` and `{a,b}` work as in the shell. A pattern without '/' matches a name at any
 * depth (like .gitignore), and a pattern that matches a directory matches everything below it.
 * Pure.
 */
export function globToRegExp(pattern: string): RegExp {
  let p = pattern.replace(/\\/g, '/');
  if (p.startsWith('./')) p = p.slice(2);
  const anchored = p.includes('/') && !p.startsWith('**/');
  if (p.startsWith('/')) p = p.slice(1);
  if (p.endsWith('/')) p = p.slice(0, -1);
  let re = '';
  let braces = 0;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '*') {
      if (p[i + 1] === '*') {
        const slash = p[i + 2] === '/';
        re += slash ? '(?:.*/)?' : '.*';
        i += slash ? 2 : 1;
      } else {
        re += '[^/]*';
      }
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const close = p.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else { re += `[${p.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`; i = close; }
    } else if (c === '{') { re += '(?:'; braces++; }
    else if (c === '}' && braces > 0) { re += ')'; braces--; }
    else if (c === ',' && braces > 0) re += '|';
    else re += c.replace(/[.+^$()|\\]/g, '\\$&');
  }
  return new RegExp(`^${anchored ? '' : '(?:.*/)?'}${re}(?:/.*)?$`);
}

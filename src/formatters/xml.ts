/**
 * XML 1.0 text for the JUnit and Checkstyle formats (W3C XML 1.0, 5th edition, §2.2 Char, §2.4,
 * §3.3.3 attribute-value normalisation). Pure.
 *
 * - `& < > "` become entities everywhere (`>` too, so `]]>` in a message never ends anything);
 * - tab, line feed and carriage return in an attribute become `&#9;` `&#10;` `&#13;` (a parser
 *   would otherwise read each as a space); in element text they stay as they are;
 * - characters XML 1.0 forbids even as references (U+0000–U+001F other than tab, LF and CR,
 *   U+FFFE, U+FFFF) are written as the visible text `\u0007` (six characters), and a lone UTF-16
 *   surrogate as U+FFFD: the document stays well-formed and the message stays readable;
 * - everything else, non-ASCII included, is written as is (the documents are UTF-8).
 */

// eslint-disable-next-line no-control-regex
const SPECIAL = /[&<>"\u0000-\u001f\ufffe\uffff\ud800-\udfff]/;
// eslint-disable-next-line no-control-regex
const SPECIAL_G = /[&<>"\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff][\udc00-\udfff]|[\ud800-\udfff]/g;

function escapeWith(s: string, attribute: boolean): string {
  if (!SPECIAL.test(s)) return s;
  return s.replace(SPECIAL_G, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case '\t': return attribute ? '&#9;' : c;
      case '\n': return attribute ? '&#10;' : c;
      case '\r': return '&#13;';
    }
    if (c.length === 2) return c; // a surrogate pair: a character like any other
    const code = c.charCodeAt(0);
    if (code >= 0xd800 && code <= 0xdfff) return '\ufffd';
    return `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** `s` as the value of an attribute written between double quotes. */
export function xmlAttr(s: string): string {
  return escapeWith(s, true);
}

/** `s` as element text (CR as `&#13;`, which a parser would otherwise turn into LF). */
export function xmlText(s: string): string {
  return escapeWith(s, false);
}

/** The XML declaration every document of these formats starts with. */
export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

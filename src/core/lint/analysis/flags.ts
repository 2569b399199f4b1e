/**
 * The bits of EntryColumns.flags (Analysis.columns): what the analysis reads of each entry's
 * reading, read once per entry.
 *
 * Pure.
 */

/** the entry's type is `soft` */
export const E_SOFT = 1;
/** the entry's type is `hard` */
export const E_HARD = 2;
/** the entry's type is `-` */
export const E_DASH = 4;
/** the entry has no problem at all */
export const E_VALID = 8;
/** valid, and a soft or `-` line, or a line of an item without types: it sets the soft half */
export const E_COVERS_SOFT = 16;
/** the entry's item is maxlogins (the only item a `%` domain is not skipped for) */
export const E_MAXLOGINS = 32;
/** the one reading of its line, read the same way by 1.5.2 and 1.7 (Analysis.plainAt) */
export const E_PLAIN = 64;
/** resolveLimits acts on the entry: no problem, or only a '%' domain (EntryColumns.active) */
export const E_ACTIVE = 128;

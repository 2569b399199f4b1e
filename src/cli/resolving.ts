/** Shared by get / effective / explain: load everything and resolve one account. */
import { displayBytes } from '../core/bytes.js';
import { type Resolution, resolveLimits } from '../core/resolve.js';
import { itemForProfile, itemInfo, ITEM_NAMES, type ItemInfo } from '../core/schema.js';
import { didYouMean } from '../core/suggest.js';
import type { LoadedTree } from '../io/tree.js';
import { type Context, type IdentityArgs, loadBaseline, loadContextIdentity, loadContextTree } from './context.js';
import { UsageError } from './errors.js';

export function resolveForArgs(ctx: Context, args: IdentityArgs): { tree: LoadedTree; res: Resolution } {
  const identity = loadContextIdentity(ctx, args);
  const tree = loadContextTree(ctx);
  const res = resolveLimits(tree, identity, { profile: ctx.profile, ...loadBaseline(ctx) });
  // JSON output carries the profile warning in its warnings list (text has it on stderr)
  if (ctx.json && ctx.profileWarning !== null) return { tree, res: { ...res, warnings: [ctx.profileWarning, ...res.warnings] } };
  return { tree, res };
}

/**
 * Bytes from the model or the account database (a name, a domain) as text for people: UTF-8
 * decoded, invalid bytes and control characters as \xNN (core/bytes.ts).
 */
export function shown(bytes: string): string {
  return displayBytes(bytes);
}

/** Validate an item argument against the schema and the profile. */
export function checkItemArg(ctx: Context, item: string | undefined): ItemInfo {
  const name = (item ?? '').toLowerCase();
  const info = itemForProfile(name, ctx.profile);
  if (info) return info;
  const known = itemInfo(name);
  if (known) throw new UsageError(`item '${name}' is not known to the ${ctx.profile} profile (${known.description}); known to: ${known.profiles.join(', ')}`);
  const guess = didYouMean(name, ITEM_NAMES);
  throw new UsageError(`unknown item '${item ?? ''}'${guess ? `; did you mean '${guess}'?` : ''}`, `Items: ${ITEM_NAMES.join(', ')}`);
}

/**
 * The option and request types of the library, as strict TypeScript users write them: an optional
 * property also takes an explicit `undefined` (`{ profile: maybeProfile }` compiles under
 * `exactOptionalPropertyTypes`), which means the same as leaving it out. The core's own types stay
 * exact; the library drops undefined properties before calling it ({@link defined}).
 */
import type { DisplayOptions as CoreDisplayOptions } from '../core/bytes.js';
import type { PlanOptions as CorePlanOptions, SetRequest as CoreSetRequest, UnsetRequest as CoreUnsetRequest } from '../core/edit.js';
import type { ParseOptions as CoreParseOptions } from '../core/parse.js';
import type { ResolveOptions as CoreResolveOptions } from '../core/resolve.js';
import type { IdentityOptions as CoreIdentityOptions } from '../io/accounts.js';
import type { LoadTreeOptions as CoreLoadTreeOptions, LoadedTree as CoreLoadedTree } from '../io/tree.js';
import type { ConfigTree as CoreConfigTree, LimitsDocument as CoreLimitsDocument, TreeFile as CoreTreeFile } from '../core/model.js';
import type { LintTarget as CoreLintTarget } from '../core/lint/types.js';

/** `T` with `| undefined` added to each optional property (required ones unchanged). */
export type Loose<T> = { [K in keyof T]: undefined extends T[K] ? T[K] | undefined : T[K] };

/** Options of `parseLimits`: `file` (a display name kept on the document), `profile` (a release profile or alias; default linux-pam-1.5.2). */
export type ParseOptions = Loose<CoreParseOptions>;
/** Options of `loadTree`: `profile` (default: detected from the tree's os-release), `conf` (pam_limits' conf=: that file only). */
export type LoadTreeOptions = Loose<CoreLoadTreeOptions>;
/** Options of `resolveLimits`: the profile and the limits a session starts from (`loadBaseline` reads them). */
export type ResolveOptions = Loose<CoreResolveOptions>;
/** Options of `loadIdentity`: a hypothetical account's `uid`, `gid`, extra `groups` (names as text). */
export type IdentityOptions = Loose<CoreIdentityOptions>;
/** Options of `planEdits`: `file` (where a new line goes), `accounts` (who is affected), the starting limits, `prune`. */
export type PlanOptions = Loose<CorePlanOptions>;
/** Options of `displayBytes`: `keep`, the control characters shown as they are. */
export type DisplayOptions = Loose<CoreDisplayOptions>;
/** `{ op: 'set', domain, item, value, type?, mode?, comment? }`: text as a person types it. */
export type SetRequest = Loose<CoreSetRequest>;
/** `{ op: 'unset', domain, item, type? }`. */
export type UnsetRequest = Loose<CoreUnsetRequest>;
/** A request of `planEdits`. */
export type EditRequest = SetRequest | UnsetRequest;

/** `o` without its undefined properties, as the core's exact types want it. */
export function defined<T extends object>(o: Loose<T> | T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as T;
}

/**
 * A parsed limits file: `file`, `profile`, `lines` (each with pam_limits' readings and their
 * byte spans). Its bytes are `printDocument(doc)`, a Buffer: the document keeps them internally
 * as a one-char-per-byte string, which the public type leaves out because writing such a string
 * (`writeFileSync(path, text)`) would UTF-8-encode every byte above 0x7f and mangle the file.
 * Tokens (`Field.raw`) are bytes as binary strings too: `fromBytes` gives their text.
 */
export type LimitsDocument = Omit<CoreLimitsDocument, 'text'>;
/** A file of a tree: `path`, `role`, `status`, and `doc` (its {@link LimitsDocument}, or null when it was not read). */
export type TreeFile = Omit<CoreTreeFile, 'doc'> & { readonly doc: LimitsDocument | null };
/** A config tree: `profile`, `files` in pam_limits' reading order, `ignored`, `failure`. */
export type ConfigTree = Omit<CoreConfigTree, 'files'> & { readonly files: readonly TreeFile[] };
/** A tree read from disk by `loadTree`: a {@link ConfigTree} with its absolute `root` and the profile `detection`. */
export type LoadedTree = Omit<CoreLoadedTree, 'files'> & { readonly files: readonly TreeFile[] };
/** One unit of linting for `lintTarget`: a {@link ConfigTree} (or a single file's), with its accounts and facts. */
export type LintTarget = Omit<CoreLintTarget, 'tree'> & { readonly tree: ConfigTree };

/** A public tree, checked by args.tree (every document came from parseLimits), as the core takes it. */
export function coreTree(t: ConfigTree): CoreConfigTree {
  return t as CoreConfigTree;
}

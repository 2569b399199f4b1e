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
import type { LoadTreeOptions as CoreLoadTreeOptions } from '../io/tree.js';

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

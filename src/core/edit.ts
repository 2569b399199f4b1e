/**
 * Planning edits: set / unset / apply turn into TextEdits against the tree's files, chosen so
 * that (1) untouched bytes stay untouched, (2) equal meanings are equal (a second run plans
 * nothing), and (3) the requested value is what a matching account really gets — checked by
 * resolving the edited tree. Pure: the caller reads the tree and writes the result.
 *
 * Design (see docs/editing.md):
 * - An entry "family" is every valid line with the same domain text and item, in any file.
 *   Within a family all lines have the same rank, so for each half the last one read wins.
 * - set edits the family's winning line(s) in place; it adds a line only when no line sets
 *   that half. A `-` line whose soft and hard must differ is split into `hard` + `soft` lines
 *   next to each other; two lines are never merged (that would move a value to another place
 *   in the reading order).
 * - unset removes every family line covering the type (a `-` line loses only the half asked).
 * - New lines copy a neighbour's layout and line ending and go after the domain's last line in
 *   the file, else before a trailing `# End of file` marker, else at the end.
 *
 * The parts live in edit/: types.ts (requests, options, the plan), validate.ts (domain, item,
 * value), target.ts (where a line may go, whom it is for), work-tree.ts, family.ts, compare.ts
 * (value meaning and order), layout.ts (rendering lines), placement.ts (where a new line goes),
 * plan-set.ts, plan-unset.ts, outcome.ts (who gets the value: blockers) and plan.ts (planEdits).
 * On large files a plan reads only the lines it needs: lines.ts (an index of line starts; the lines
 * holding a domain's bytes; each line's first token) and reach.ts (the lines an account's
 * resolution can reach); unified-diff.ts prints a change's diff from the changed regions only.
 * This module is the one others import.
 */
export { domainFor, checkTargetPath } from './edit/target.js';
export { planEdits, planOptionsFrom } from './edit/plan.js';
export {
  type Blocker, type ChangeNote, EditInputError, type EditPlan, type EditRequest, type EditType, type FileChange,
  type PlanOptions, type SetRequest, type UnsetRequest,
} from './edit/types.js';
export { validateDomain, validateItem, validateValue } from './edit/validate.js';

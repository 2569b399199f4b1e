/**
 * The `version` member of every JSON document the CLI prints (docs/json.md): the first key of each
 * top-level object, an integer that grows by one with each incompatible change of that output
 * (a key renamed or removed, a type or meaning changed; a new key is not incompatible). Each
 * output's JSON Schema (docs/schemas/<output>.schema.json) pins it with `const`.
 *
 * 2 marks the outputs whose keys were renamed to camelCase after 0.1.0 (`soft_from` → `softFrom`,
 * doctor's snake_case keys); 0.1.0 printed them without `version` (doctor as
 * `"schema": "limitsctl.doctor/v1"`), which counts as 1. lint's is LINT_JSON_VERSION
 * (formatters/json.ts), doctor's DOCTOR_JSON_VERSION (formatters/doctor.ts).
 */
export const JSON_VERSIONS = {
  /** `get ITEM --json`, with --user or --unit */
  get: 2,
  /** `effective --json`, with --user or --unit */
  effective: 2,
  /** `explain ITEM --json`, with --user or --unit */
  explain: 2,
  /** `files --json` */
  files: 1,
  /** `set`, `unset`, `apply --json` (also with --dry-run, --check, --unit) */
  edit: 2,
  /** `profiles --json` */
  profiles: 1,
  /** `demo --json` */
  demo: 1,
  /** `rules --json` */
  rules: 1,
  /** `{"version":1,"error":{…}}`: what every command prints on stdout instead, with --json, when it fails (exit 2) */
  error: 1,
} as const;

/**
 * Where rule and documentation links point: LIMITSCTL_DOCS_URL (docs/lint.md, "Documentation
 * links"), read by `lint` and `rules`.
 */
import { DOCS_URL_ENV } from '../core/lint/report.js';
import { UsageError } from './errors.js';

/**
 * The documentation base URL from LIMITSCTL_DOCS_URL without its trailing slashes, or undefined
 * when unset or empty: links then name files shipped in the package.
 * @throws UsageError when it is set but is not an absolute http(s) URL without ?query or #fragment
 *   (the value is quoted as a JSON string in the message: a newline in it cannot fake a line of output)
 */
export function docsBaseUrl(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env[DOCS_URL_ENV];
  if (raw === undefined || raw === '') return undefined;
  let url: URL | undefined;
  try { url = new URL(raw); } catch { url = undefined; }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.search !== '' || url.hash !== '') {
    throw new UsageError(`${DOCS_URL_ENV}=${JSON.stringify(raw)} is not an absolute http(s) URL without ?query or #fragment (where the package's docs/ are published), or leave it unset`);
  }
  return raw.replace(/\/+$/, '');
}

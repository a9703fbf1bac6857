/**
 * The API instance an answer names: `/api/status` and the API's other JSON answers carry
 * `"instance"`, which tells one process from its replacement. Null for anything else (an nginx
 * error page, plain text); the cheap first-character check keeps error pages under load from
 * costing a JSON parse each.
 */
export function apiInstanceIn(body: string): string | null {
  if (!body.trimStart().startsWith('{')) return null;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'instance' in parsed && typeof parsed.instance === 'string')
      return parsed.instance;
  } catch {
    // Not JSON: no instance.
  }
  return null;
}

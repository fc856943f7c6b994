/**
 * Where a redirect may go when the target comes from the request (`next` after sign-in, `back` links):
 * only a path of this site. Accepted: a string that starts with one '/' and, after percent-decoding
 * (repeatedly, so %255C is seen as '\'), has no '//' or '/\' or '\' at its start, no backslash anywhere and
 * no control characters (browsers drop tabs and newlines, so "/\t/host" would become "//host").
 * Anything else — "//host", "/\host", "/%5Chost", "https://host", "javascript:…", arrays — gives `fallback`.
 */
export function safeRedirectPath(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return fallback;
  if (!isSafe(value)) return fallback;
  let decoded = value;
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return fallback;
    }
    if (!isSafe(next)) return fallback;
    if (next === decoded) return value;
    decoded = next;
  }
  return fallback; // still changing after three rounds: nobody needs that
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function isSafe(path: string): boolean {
  if (!path.startsWith('/')) return false;
  if (path.startsWith('//')) return false;
  if (path.includes('\\')) return false;
  return !CONTROL.test(path);
}

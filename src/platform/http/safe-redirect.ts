/**
 * The one check for redirect targets that came from a request (a `returnTo`, the page a language toggle returns
 * to). A browser follows a Location header *after* resolving dot segments, so `/..//evil.example` and
 * `/.//evil.example` reach `//evil.example`, another site. So the value is resolved first, and the check is made on
 * the resolved result, which is also what is returned: what is checked is what is sent.
 */
const ORIGIN = 'http://agora.invalid';

/** A same-origin path (`/a/b?c#d`) safe to put in a Location header or a link, or undefined. */
export function safeLocalPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2000) return undefined;
  // Control characters (header splitting, tabs that URL parsing drops) and backslashes (which browsers read as
  // slashes) are refused outright rather than cleaned.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  if (!value.startsWith('/')) return undefined;
  let resolved: string;
  try {
    const url = new URL(value, ORIGIN);
    if (url.origin !== ORIGIN) return undefined;
    resolved = url.pathname + url.search + url.hash;
  } catch {
    return undefined;
  }
  return isSameOriginPath(resolved) ? resolved : undefined;
}

/** One leading slash, not two, not slash-backslash: a path, never a scheme-relative URL. */
function isSameOriginPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\');
}

const PROBE_ORIGIN = "http://bacmr.invalid";

/**
 * Where to go after sign-in: only a path on this site, never another origin. Browsers strip
 * tabs and newlines and read backslashes as slashes, so `/\t/evil.example` means
 * `//evil.example`; resolving the candidate like a browser would and comparing origins is the
 * check that cannot be fooled by such spellings. Control characters are refused outright
 * (they would also be invalid in a Location header).
 */
export function safeNextPath(next: string | null | undefined, fallback = "/profile"): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (!next?.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(next)) return fallback;
  let url: URL;
  try {
    url = new URL(next, PROBE_ORIGIN);
  } catch {
    return fallback;
  }
  if (url.origin !== PROBE_ORIGIN) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}

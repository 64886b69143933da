// Where a citation leads: the page viewer at the cited page, with the start of the cited passage in
// ?q= for it to highlight (the whole excerpt would make long URLs for no better match).

/** Characters of the excerpt carried in the link. */
export const CITATION_QUERY_CHARS = 160;

export function citationHref(source: { document_id: string; page: number; excerpt: string }): string {
  const excerpt = Array.from(source.excerpt.replace(/\s+/g, " ").trim())
    .slice(0, CITATION_QUERY_CHARS)
    .join("")
    .trim();
  const path = `/library/${encodeURIComponent(source.document_id)}/pages/${source.page}`;
  return excerpt ? `${path}?${new URLSearchParams({ q: excerpt })}` : path;
}

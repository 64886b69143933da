import Link from "next/link";

/** Previous/next links of an offset-paginated list; nothing when everything fits on one page. */
export function Pager({
  offset,
  limit,
  total,
  href,
  labels,
}: {
  offset: number;
  limit: number;
  total: number;
  href: (offset: number) => string;
  labels: { previous: string; next: string };
}) {
  if (offset === 0 && offset + limit >= total) return null;
  return (
    <nav className="flex justify-between px-4 py-3 text-sm">
      {offset > 0 ? (
        <Link className="text-brand-800 underline" href={href(Math.max(0, offset - limit))}>
          {labels.previous}
        </Link>
      ) : (
        <span />
      )}
      {offset + limit < total ? (
        <Link className="text-brand-800 underline" href={href(offset + limit)}>
          {labels.next}
        </Link>
      ) : null}
    </nav>
  );
}

"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

/**
 * A row of navigation links ([href, label]); the current section is marked (aria-current) so
 * everyone, screen-reader users included, knows where they are. A link is current on its own
 * path and below it ("/courses/…" for "/courses"), except "/admin", current on the dashboard only.
 */
export function NavLinks({ links }: { links: [string, string][] }) {
  const path = usePathname();
  return links.map(([href, label]) => {
    const current = path === href || (href !== "/admin" && path.startsWith(`${href}/`));
    return (
      <Link
        key={href}
        href={href}
        aria-current={current ? "page" : undefined}
        className={`rounded-md px-2 py-1 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-brand-700 ${
          current ? "bg-brand-50 font-semibold text-brand-900" : ""
        }`}
      >
        {label}
      </Link>
    );
  });
}

import { type NextRequest, NextResponse } from "next/server";
import { methodsForPath } from "@/lib/api";

// The API answers JSON even for paths and methods no handler serves: an unknown /api path is
// a JSON 404, a known path with a wrong method a JSON 405 with Allow (Next's own are bodyless).
export function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const method = request.method.toUpperCase();
  const methods = methodsForPath(pathname);
  if (!methods) {
    return NextResponse.json(
      { detail: `No API endpoint at ${pathname}`, code: "NOT_FOUND" },
      { status: 404 },
    );
  }
  const allowed = new Set(methods);
  if (allowed.has("GET")) allowed.add("HEAD");
  if (method !== "OPTIONS" && !allowed.has(method)) {
    return NextResponse.json(
      { detail: `Method ${method} not allowed`, code: "METHOD_NOT_ALLOWED" },
      { status: 405, headers: { Allow: [...allowed].join(", ") } },
    );
  }
  return NextResponse.next();
}

export const config = { matcher: "/api/:path*" };

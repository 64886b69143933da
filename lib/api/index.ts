import * as adminUsers from "./admin-users";
import * as auth from "./auth";
import * as chat from "./chat";
import * as courses from "./courses";
import type { Endpoint } from "./define";
import * as feedback from "./feedback";
import * as health from "./health";
import * as insights from "./insights";
import * as jobs from "./jobs";
import * as library from "./library";
import * as meta from "./meta";
import * as processing from "./processing";
import * as profile from "./profile";
import * as wallet from "./wallet";

/** Every endpoint of the API. The OpenAPI document and the 404/405 answers are built from it. */
export const endpoints: Endpoint[] = [
  health,
  meta,
  auth,
  profile,
  adminUsers,
  courses,
  processing,
  chat,
  feedback,
  jobs,
  library,
  wallet,
  insights,
].flatMap((mod) => Object.values(mod).filter(isEndpoint));

function isEndpoint(v: unknown): v is Endpoint {
  return typeof v === "object" && v !== null && "method" in v && "path" in v && "auth" in v;
}

/** Regex for an OpenAPI path template: /api/users/{id} matches /api/users/<one segment>. */
export function pathPattern(path: string): RegExp {
  const src = path
    .split("/")
    .map((seg) => (/^\{.+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${src}/?$`);
}

/** The methods served at a concrete path, or null when no endpoint has that path. */
export function methodsForPath(pathname: string): string[] | null {
  const methods = endpoints.filter((e) => pathPattern(e.path).test(pathname)).map((e) => e.method);
  return methods.length ? [...new Set(methods)] : null;
}

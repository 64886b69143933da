// GET /api/health – liveness and database reachability
import { getHealth } from "@/lib/api/health";
import { getAuthBackend } from "@/lib/auth";
import { isDatabaseReachable } from "@/lib/health";
import { Reply, route } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = route(getHealth, async ({ db }) => {
  const database = (await isDatabaseReachable(db)) ? "ok" : "unavailable";
  const body = { status: "BacMR Online" as const, database, auth: (await getAuthBackend()).name } as const;
  return new Reply(body, { status: database === "ok" ? 200 : 503 });
});

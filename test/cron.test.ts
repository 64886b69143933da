import { afterEach, describe, expect, it } from "vitest";
import * as cronRoute from "@/app/api/cron/ingest/route";
import { resetEnvCache } from "@/lib/config/env";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";

useTestDb();
const SECRET = "cron-secret-0123456789abcdef";

afterEach(() => {
  delete process.env.CRON_SECRET;
  resetEnvCache();
});

describe("GET /api/cron/ingest", () => {
  it("is refused while CRON_SECRET is unset", async () => {
    const res = await call(cronRoute.GET, { path: "/api/cron/ingest", token: SECRET });
    expect(res.status).toBe(401);
    expect(res.body).toStrictEqual({
      detail: "Cron is not configured (CRON_SECRET is unset)",
      code: "UNAUTHORIZED",
    });
  });

  it("needs the right bearer secret, then drains the queue", async () => {
    process.env.CRON_SECRET = SECRET;
    resetEnvCache();
    expect((await call(cronRoute.GET, { path: "/api/cron/ingest" })).status).toBe(401);
    expect(
      (await call(cronRoute.GET, { path: "/api/cron/ingest", token: "wrong-secret-wrong" })).status,
    ).toBe(401);
    const ok = await call(cronRoute.GET, { path: "/api/cron/ingest", token: SECRET });
    expect(ok.status).toBe(200);
    expect(ok.body).toStrictEqual({ processed: 0, remaining: 0 });
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { dropIfStalled, setDbHandle } from "@/db/client";
import { CHAT_DEADLINE, defineEndpoint, NO_DEADLINE } from "@/lib/api/define";
import { resetEnvCache } from "@/lib/config/env";
import { unlessLate } from "@/lib/deadline";
import { isDatabaseReachable } from "@/lib/health";
import { route } from "@/lib/http/route";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";

// A request the server cannot finish (a database that stopped answering with its connection open,
// a jammed queue) still gets an answer: a 503 the client may retry, after REQUEST_TIMEOUT_SECONDS
// or the endpoint's own deadline.
const { db, handle } = useTestDb();

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function endpoint(extra: Partial<Parameters<typeof defineEndpoint>[0]> = {}) {
  return defineEndpoint({
    method: "GET",
    path: "/api/test-deadline",
    tag: "Test",
    summary: "t",
    auth: "none",
    ...extra,
  });
}

beforeEach(() => {
  process.env.REQUEST_TIMEOUT_SECONDS = "1";
  resetEnvCache();
});
afterEach(() => {
  delete process.env.REQUEST_TIMEOUT_SECONDS;
  delete process.env.CHAT_TIMEOUT_SECONDS;
  resetEnvCache();
  setDbHandle(handle());
  vi.restoreAllMocks();
});

describe("request deadline", () => {
  it("answers 503 with Retry-After when the work does not end in time", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const t = performance.now();
    const res = await call(route(endpoint(), never), { path: "/api/test-deadline" });
    const ms = performance.now() - t;
    expect(res.status).toBe(503);
    expect(res.body).toStrictEqual({
      detail: "The server took too long to answer; try again",
      code: "SERVICE_UNAVAILABLE",
    });
    expect(res.headers.get("retry-after")).toBe("5");
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(5_000);
    expect(errors.mock.calls.flat().join(" ")).toContain("no answer within 1 s");
  });

  it("answers in the endpoint's own failure body where its specification writes one", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const unavailable = {
      status: 503,
      body: { error: "AI Brain service not available", code: "LOCAL_AI_API_ERROR" },
    };
    const e = endpoint({ failures: { internal: unavailable, unavailable, schema: undefined as never } });
    const res = await call(route(e, never), { path: "/api/test-deadline" });
    expect(res).toMatchObject({ status: 503, body: unavailable.body });
    expect(res.headers.get("retry-after")).toBe("5");
  });

  it("leaves work that ends in time alone, and work that is long by design", async () => {
    const quick = await call(
      route(endpoint(), async () => ({ ok: true })),
      { path: "/api/test-deadline" },
    );
    expect(quick).toMatchObject({ status: 200, body: { ok: true } });
    const long = await call(
      route(endpoint({ deadline: NO_DEADLINE }), async () => {
        await sleep(1_300);
        return { ok: "late" };
      }),
      { path: "/api/test-deadline" },
    );
    expect(long).toMatchObject({ status: 200, body: { ok: "late" } });
  });

  it("gives a model call its own timeout on top, and none when deadlines are off", () => {
    process.env.CHAT_TIMEOUT_SECONDS = "60";
    resetEnvCache();
    expect(CHAT_DEADLINE()).toBe(61);
    process.env.REQUEST_TIMEOUT_SECONDS = "0";
    resetEnvCache();
    expect(CHAT_DEADLINE()).toBe(0);
  });

  it("drops a postgres.js pool whose server does not answer a fresh connection, so the next request reconnects", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const abort = vi.fn(async () => {});
    const probe = vi.fn(async () => false);
    setDbHandle({ db: db(), driver: "postgres", close: async () => {}, abort, probe });
    const res = await call(route(endpoint(), never), { path: "/api/test-deadline" });
    expect(res.status).toBe(503);
    await vi.waitFor(() => expect(abort).toHaveBeenCalledTimes(1));
    expect(probe).toHaveBeenCalledTimes(1);
    // The process-wide handle (db/client.ts) is gone: the next getDb opens a new pool.
    expect((globalThis as { __bacmrDb?: unknown }).__bacmrDb).toBeUndefined();
  });

  it("keeps a pool that is only busy (its server answers a fresh connection), and one already replaced", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const abort = vi.fn(async () => {});
    const busy = {
      db: db(),
      driver: "postgres" as const,
      close: async () => {},
      abort,
      probe: async () => true,
    };
    setDbHandle(busy);
    expect((await call(route(endpoint(), never), { path: "/api/test-deadline" })).status).toBe(503);
    await sleep(50);
    expect(abort).not.toHaveBeenCalled();
    expect(await dropIfStalled(busy)).toBe(false);
    // A request that stalled on an old pool does not close the one that replaced it.
    const old = { ...busy, probe: async () => false };
    expect(await dropIfStalled(old)).toBe(false);
    expect(abort).not.toHaveBeenCalled();
  });

  it("does not count the time a slow client takes to send its body", async () => {
    const e = endpoint({ method: "POST", body: z.object({ n: z.number() }) });
    const handler = route(e, async ({ body }) => ({ got: (body as { n: number }).n }));
    const chunks = ['{"n":', "41}"];
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = chunks.shift();
        if (next === undefined) return controller.close();
        if (next === "41}") await sleep(1_300);
        controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const req = new Request("http://localhost/api/test-deadline", {
      method: "POST",
      body: stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    const res = await handler(req, { params: Promise.resolve({}) });
    expect(res.status).toBe(200);
    expect(await res.json()).toStrictEqual({ got: 41 });
  });

  it("aborts the handler's signal at the deadline and invites a retry only of what is safe to repeat", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    let seen: AbortSignal | undefined;
    const post = await call(
      route(endpoint({ method: "POST" }), ({ signal }) => {
        seen = signal;
        return never();
      }),
      { path: "/api/test-deadline", method: "POST", body: {} },
    );
    expect(post.status).toBe(503);
    expect(post.headers.get("retry-after")).toBeNull();
    expect(seen?.aborted).toBe(true);
  });

  it("keeps the embedded database, which lives in this process", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await call(route(endpoint(), never), { path: "/api/test-deadline" });
    expect(res.status).toBe(503);
    const { getDbHandle } = await import("@/db/client");
    expect(await getDbHandle()).toBe(handle());
  });

  it("has the health check call a silent database down, quickly, and drop its stalled pool", async () => {
    const abort = vi.fn(async () => {});
    const silent = { execute: never } as unknown as ReturnType<typeof db>;
    setDbHandle({ db: silent, driver: "postgres", close: async () => {}, abort, probe: async () => false });
    const t = performance.now();
    expect(await isDatabaseReachable(silent, 200)).toBe(false);
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(abort).toHaveBeenCalledTimes(1);
    setDbHandle(handle());
    expect(await isDatabaseReachable(db())).toBe(true);
  });
});

describe("unlessLate", () => {
  it("gives the work's outcome in time, else what late() returns or throws", async () => {
    expect(await unlessLate(Promise.resolve(1), 50, () => "late")).toBe(1);
    await expect(unlessLate(Promise.reject(new Error("boom")), 50, () => "late")).rejects.toThrow("boom");
    expect(await unlessLate(never(), 20, () => "late")).toBe("late");
    await expect(
      unlessLate(never(), 20, () => {
        throw new Error("too late");
      }),
    ).rejects.toThrow("too late");
  });
});

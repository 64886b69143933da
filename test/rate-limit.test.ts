import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import { resetEnvCache } from "@/lib/config/env";
import { clientIp, SERVER_IP_HEADER_KEY } from "@/lib/http/request";
import { hitRateLimit } from "@/lib/rate-limit";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { uniqueEmail } from "./helpers/users";

const saved = { email: process.env.AUTH_RATE_LIMIT_REQUESTS, ip: process.env.AUTH_RATE_LIMIT_IP_REQUESTS };
beforeAll(() => {
  process.env.AUTH_RATE_LIMIT_REQUESTS = "3";
  process.env.AUTH_RATE_LIMIT_IP_REQUESTS = "4";
  resetEnvCache();
});
afterAll(() => {
  process.env.AUTH_RATE_LIMIT_REQUESTS = saved.email;
  process.env.AUTH_RATE_LIMIT_IP_REQUESTS = saved.ip;
  resetEnvCache();
});

const { db } = useTestDb();

const signin = (email: string, ip: string) =>
  call(signinRoute.POST, {
    path: "/api/auth/signin",
    method: "POST",
    body: { email, password: "wrong-password" },
    headers: { "x-forwarded-for": ip },
  });

describe("auth rate limits", () => {
  it("limits failed sign-ins per IP with 429 and Retry-After", async () => {
    const ip = "198.51.100.1";
    for (let i = 0; i < 4; i++) expect((await signin(uniqueEmail(), ip)).status).toBe(401);
    const res = await signin(uniqueEmail(), ip);
    expect(res.status).toBe(429);
    expect(res.body).toStrictEqual({ detail: "Too many attempts, try again later", code: "RATE_LIMITED" });
    const retry = Number(res.headers.get("retry-after"));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(900);
    // Another client is not affected.
    expect((await signin(uniqueEmail(), "198.51.100.2")).status).toBe(401);
  });

  it("limits failed sign-ins per email across IPs, and then refuses even the right password", async () => {
    const email = uniqueEmail("target");
    await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123" },
    });
    for (let i = 0; i < 3; i++) expect((await signin(email, `203.0.113.${i + 10}`)).status).toBe(401);
    expect((await signin(email, "203.0.113.99")).status).toBe(429);
    const right = await call(signinRoute.POST, {
      path: "/api/auth/signin",
      method: "POST",
      body: { email, password: "password-123" },
      headers: { "x-forwarded-for": "203.0.113.100" },
    });
    expect(right.status).toBe(429);
  });

  it("does not count successful sign-ins (a class behind one address)", async () => {
    const email = uniqueEmail("pupil");
    await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123" },
    });
    for (let i = 0; i < 8; i++) {
      const res = await call(signinRoute.POST, {
        path: "/api/auth/signin",
        method: "POST",
        body: { email, password: "password-123" },
        headers: { "x-forwarded-for": "192.0.2.77" },
      });
      expect(res.status).toBe(200);
    }
  });

  it("limits sign-up too", async () => {
    const ip = "198.51.100.7";
    const signup = () =>
      call(signupRoute.POST, {
        path: "/api/auth/signup",
        method: "POST",
        body: { email: uniqueEmail(), password: "password-123" },
        headers: { "x-forwarded-for": ip },
      });
    for (let i = 0; i < 4; i++) expect((await signup()).status).toBe(201);
    expect((await signup()).status).toBe(429);
  });

  it("uses the right-most X-Forwarded-For entry (the one our proxy appended)", async () => {
    for (let i = 0; i < 4; i++) await signin(uniqueEmail(), `10.9.9.${i}, 198.51.100.50`);
    expect((await signin(uniqueEmail(), "1.2.3.4, 198.51.100.50")).status).toBe(429);
  });
});

describe("hitRateLimit", () => {
  it("counts concurrent hits exactly and opens a new window when the old one ends", async () => {
    const key = `test:${Date.now()}`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => hitRateLimit(db(), { key, limit: 4, windowSeconds: 1 })),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await hitRateLimit(db(), { key, limit: 4, windowSeconds: 1 })).allowed).toBe(true);
  });
});

describe("clientIp", () => {
  const SERVER_HEADER = "x-bacmr-client-ip";
  const globals = globalThis as Record<string, unknown>;
  const request = (headers: Record<string, string>) => new Request("http://localhost/api/chat", { headers });
  /** As in `npm start`: server.mjs names its header, and puts the socket address in it. */
  const behindServerMjs = () => {
    globals[SERVER_IP_HEADER_KEY] = SERVER_HEADER;
  };
  const trustProxy = (value: string | undefined) => {
    if (value === undefined) delete process.env.TRUST_PROXY;
    else process.env.TRUST_PROXY = value;
    resetEnvCache();
  };
  afterEach(() => {
    delete globals[SERVER_IP_HEADER_KEY];
    trustProxy("true"); // test/setup.ts
  });

  it("without TRUST_PROXY, ignores a client's X-Forwarded-For and X-Real-IP: the address server.mjs passes counts", () => {
    trustProxy(undefined);
    behindServerMjs();
    const spoofed = { "x-forwarded-for": "1.2.3.4, 5.6.7.8", "x-real-ip": "9.9.9.9" };
    expect(clientIp(request({ ...spoofed, [SERVER_HEADER]: "203.0.113.7" }))).toBe("203.0.113.7");
    trustProxy("false");
    expect(clientIp(request({ ...spoofed, [SERVER_HEADER]: "203.0.113.8" }))).toBe("203.0.113.8");
  });

  it("without TRUST_PROXY nor server.mjs (next dev), every client is one 'unknown' bucket, whatever it sends", () => {
    trustProxy(undefined);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      for (const headers of [
        {},
        { "x-forwarded-for": "1.2.3.4" },
        { "x-real-ip": "1.2.3.4" },
        // Without server.mjs in front nothing replaced it: a client's own copy.
        { [SERVER_HEADER]: "1.2.3.4" },
      ] as Record<string, string>[]) {
        expect(clientIp(request(headers)), JSON.stringify(headers)).toBe("unknown");
      }
    } finally {
      warn.mockRestore();
    }
  });

  it("with TRUST_PROXY, takes the right-most X-Forwarded-For entry (the one the proxy appended)", () => {
    trustProxy("true");
    behindServerMjs();
    const proxy = { [SERVER_HEADER]: "10.0.0.2" };
    expect(clientIp(request({ ...proxy, "x-forwarded-for": "1.2.3.4, 198.51.100.50" }))).toBe(
      "198.51.100.50",
    );
    expect(clientIp(request({ ...proxy, "x-forwarded-for": "198.51.100.51 , " }))).toBe("198.51.100.51");
    expect(clientIp(request({ ...proxy, "x-real-ip": "198.51.100.52" }))).toBe("198.51.100.52");
    // A request that did not come through the proxy: the socket address.
    expect(clientIp(request(proxy))).toBe("10.0.0.2");
    delete globals[SERVER_IP_HEADER_KEY];
    expect(clientIp(request({}))).toBe("unknown");
  });

  it("a client behind server.mjs cannot dodge the per-IP sign-in limit with X-Forwarded-For", async () => {
    trustProxy(undefined);
    behindServerMjs();
    const from = (spoofed: string) =>
      call(signinRoute.POST, {
        path: "/api/auth/signin",
        method: "POST",
        body: { email: uniqueEmail(), password: "wrong-password" },
        headers: { "x-forwarded-for": spoofed, [SERVER_HEADER]: "198.51.100.99" },
      });
    for (let i = 0; i < 4; i++) expect((await from(`10.8.0.${i}`)).status).toBe(401);
    expect((await from("10.8.0.200")).status).toBe(429);
  });
});

import { beforeAll, describe, expect, it } from "vitest";
import { endpoints } from "@/lib/api";
import type { Endpoint } from "@/lib/api/define";
import { textPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { type CallResult, call } from "./helpers/http";
import { concretePath, handlerFor, keyOf, paramNames } from "./helpers/registry";
import { CRON_SECRET, freshIp, useWorld, type World } from "./helpers/world";

// The authorization matrix, derived from the endpoint registry (lib/api/index.ts) so a new
// endpoint is checked the day it is added:
// - an owned resource (a "user" endpoint with path parameters) answers another student 404 (never
//   403, never the data) and an anonymous caller 401, and is left unchanged by them;
// - a "user" listing (GET, no path parameter) shows another student none of the owner's rows;
// - an admin route answers 401 without credentials and 403 to a student and to a teacher;
// - a cron route takes only the cron secret;
// - a public route answers without a token.
// A "user" endpoint that fits none of these (it acts on the caller's own account) must be listed
// in SELF with the reason, or this suite fails.

useTempDataDir("authz");
const { db } = useTestDb();

/** "user" endpoints without a path parameter that are not GET listings: what they touch is the caller's. */
const SELF: Record<string, string> = {
  "POST /api/courses": "creates a course owned by the caller; nothing of anyone else's is named",
  "PATCH /api/me": "updates the caller's own profile; no id is accepted",
  "POST /api/chat":
    "answers in the caller's conversation; the conversation_id it accepts is checked in BODY_OWNED",
};

/** Endpoints that name an owned resource in their body, with a valid body naming the owner's. */
const BODY_OWNED: Record<string, (w: World) => Record<string, unknown>> = {
  "POST /api/chat": (w) => ({
    message: "Et la masse ?",
    conversation_id: w.ids.conversation_id,
    stream: false,
  }),
};

/** A valid body for owned endpoints that take one, so the answer is about ownership, not input. */
const VALID_BODY: Record<string, () => Promise<Record<string, unknown> | FormData>> = {
  "PATCH /api/courses/{course_id}": async () => ({ name: "Piraté" }),
  "POST /api/courses/{course_id}/chat": async () => ({ message: "Donne-moi le cours" }),
  "PUT /api/conversations/{conversation_id}/messages/{message_id}/feedback": async () => ({ rating: "down" }),
  "POST /api/courses/{course_id}/materials": async () => {
    const form = new FormData();
    const pdf = await textPdf([["Intrus"]]);
    form.append(
      "file",
      new File([pdf as Uint8Array<ArrayBuffer>], "intrus.pdf", { type: "application/pdf" }),
    );
    return form;
  },
};

/** Required query strings, so an answer is about who asks rather than a missing parameter. */
const VALID_QUERY: Record<string, string> = {
  "GET /api/courses/{course_id}/materials/search": "query=force",
};

const isPublic = (e: Endpoint) => e.auth === "none" || e.auth === "optional";
const isOwned = (e: Endpoint) => e.auth === "user" && paramNames(e).length > 0;
const isOwnListing = (e: Endpoint) => e.auth === "user" && paramNames(e).length === 0 && e.method === "GET";

const world = useWorld(db);

/** Calls an endpoint with the world's ids for its path parameters. */
async function send(
  e: Endpoint,
  opts: { token?: string; body?: Record<string, unknown> | FormData; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const handler = await handlerFor(e);
  const params = Object.fromEntries(
    paramNames(e).map((n) => {
      // A parameter the world has no resource for would answer 404 to everyone, owner included.
      const id = world.ids[n];
      if (!id) throw new Error(`${keyOf(e)}: the test world has no resource for {${n}}`);
      return [n, id];
    }),
  );
  const query = VALID_QUERY[keyOf(e)];
  const path = concretePath(e, params) + (query ? `?${query}` : "");
  return call(handler, {
    path,
    method: e.method,
    token: opts.token,
    headers: { ...freshIp(), ...opts.headers },
    params,
    body: e.method === "GET" ? undefined : opts.body,
  });
}

const unauthorizedBody = {
  detail: expect.any(String),
  code: expect.stringMatching(/^(UNAUTHORIZED|INVALID_TOKEN)$/),
};

describe("the registry is classified", () => {
  it("every endpoint is public, cron, admin, owned, an own listing, or a reasoned SELF entry", () => {
    const unclassified = endpoints
      .filter(
        (e) => !(isPublic(e) || e.auth === "cron" || e.auth === "admin" || isOwned(e) || isOwnListing(e)),
      )
      .filter((e) => !(keyOf(e) in SELF))
      .map(keyOf);
    expect(unclassified).toStrictEqual([]);
    // A SELF entry for an endpoint that no longer exists (or is now classified) is stale.
    for (const key of Object.keys(SELF)) {
      const e = endpoints.find((x) => keyOf(x) === key);
      expect(e && e.auth === "user" && !isOwned(e) && !isOwnListing(e), key).toBe(true);
    }
    for (const key of [...Object.keys(BODY_OWNED), ...Object.keys(VALID_BODY), ...Object.keys(VALID_QUERY)]) {
      expect(
        endpoints.some((x) => keyOf(x) === key),
        key,
      ).toBe(true);
    }
  });

  it("has the expected breadth (a registry that stops loading fails here)", () => {
    expect(endpoints.filter(isOwned).length).toBeGreaterThanOrEqual(14);
    expect(endpoints.filter((e) => e.auth === "admin").length).toBeGreaterThanOrEqual(20);
  });
});

describe("owned resources: another student gets 404, nobody gets 401", () => {
  const owned = endpoints.filter(isOwned);
  // What the owner sees of each resource before the intruders, compared after them.
  const before = new Map<string, unknown>();
  const reads = () => owned.filter((e) => e.method === "GET" && e.responseContentType === undefined);

  beforeAll(async () => {
    for (const e of reads()) before.set(keyOf(e), (await send(e, { token: world.owner.accessToken })).body);
  });

  it.each(owned.map((e) => [keyOf(e), e] as const))("%s", async (key, e) => {
    const needsBody = e.body !== undefined && e.body.safeParse(undefined).success === false;
    const makeBody = VALID_BODY[key];
    if (needsBody && !makeBody) throw new Error(`${key}: add a valid body to VALID_BODY`);
    if (e.query && !e.query.safeParse({}).success && !VALID_QUERY[key]) {
      throw new Error(`${key}: add its required query to VALID_QUERY`);
    }

    const anonymous = await send(e, { body: await makeBody?.() });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toStrictEqual(unauthorizedBody);

    const intruder = await send(e, { token: world.other.accessToken, body: await makeBody?.() });
    expect(intruder.status, JSON.stringify(intruder.body)).toBe(404);
    expect(intruder.body).toStrictEqual({ detail: expect.any(String), code: "NOT_FOUND" });

    // The same request from the owner is not refused: the 404 above is about who asks.
    if (e.method === "GET") {
      const own = await send(e, { token: world.owner.accessToken });
      expect(own.status, JSON.stringify(own.body)).toBe(200);
    }
  });

  it("the owner's resources are unchanged after the intruders", async () => {
    expect(before.size).toBeGreaterThanOrEqual(6);
    for (const e of reads()) {
      const now = await send(e, { token: world.owner.accessToken });
      expect(now.status, keyOf(e)).toBe(200);
      expect(now.body, keyOf(e)).toStrictEqual(before.get(keyOf(e)));
    }
  });

  it.each(Object.keys(BODY_OWNED))(
    "%s naming the owner's resource in its body: 404 to another student",
    async (key) => {
      const e = endpoints.find((x) => keyOf(x) === key);
      if (!e) throw new Error(key);
      const body = BODY_OWNED[key]?.(world);
      const intruder = await send(e, { token: world.other.accessToken, body });
      expect(intruder.status).toBe(404);
      expect(intruder.body).toStrictEqual({ detail: expect.any(String), code: "NOT_FOUND" });
      const anonymous = await send(e, { body });
      expect(anonymous.status).toBe(401);
    },
  );
});

describe("own listings show another student nothing of the owner's", () => {
  const listings = endpoints.filter(isOwnListing);
  const ownerValues = () =>
    [
      world.owner.id,
      world.owner.email,
      world.ids.course_id,
      world.ids.material_id,
      world.ids.conversation_id,
      world.ids.message_id,
      ...world.reservationIds,
    ].filter((v): v is string => typeof v === "string");

  it.each(listings.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    const anonymous = await send(e);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toStrictEqual(unauthorizedBody);

    const theirs = await send(e, { token: world.other.accessToken });
    expect(theirs.status).toBe(200);
    const text = JSON.stringify(theirs.body);
    for (const v of ownerValues()) expect(text, v).not.toContain(v);
  });

  it("the owner's own listings do show them (the check above can fail)", async () => {
    const seen = new Set<string>();
    for (const e of listings) {
      const text = JSON.stringify((await send(e, { token: world.owner.accessToken })).body);
      for (const v of ownerValues()) if (text.includes(v)) seen.add(v);
    }
    expect([...seen]).toEqual(
      expect.arrayContaining([
        world.owner.id,
        world.ids.course_id,
        world.ids.conversation_id,
        ...world.reservationIds,
      ]),
    );
  });

  it.each(Object.entries(SELF))("%s needs a token (%s)", async (key) => {
    const e = endpoints.find((x) => keyOf(x) === key);
    if (!e) throw new Error(key);
    const anonymous = await send(e, { body: {} });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toStrictEqual(unauthorizedBody);
  });
});

describe("admin routes refuse everyone but admins", () => {
  const admins = endpoints.filter((e) => e.auth === "admin");

  it.each(admins.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    const body = e.method === "GET" || e.method === "DELETE" ? undefined : {};
    const anonymous = await send(e, { body });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toStrictEqual(unauthorizedBody);

    const wrongKey = await send(e, { body, headers: { "x-admin-key": "not-the-admin-key" } });
    expect(wrongKey.status).toBe(401);

    for (const who of ["owner", "teacher"] as const) {
      const res = await send(e, { token: world[who].accessToken, body });
      expect(res.status, who).toBe(403);
      expect(res.body).toStrictEqual({ detail: "Admin privileges required", code: "FORBIDDEN" });
    }
  });
});

describe("cron routes take only the cron secret", () => {
  const crons = endpoints.filter((e) => e.auth === "cron");

  it.each(crons.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    expect((await send(e)).status).toBe(401);
    for (const who of ["owner", "admin"] as const) {
      const res = await send(e, { token: world[who].accessToken });
      expect(res.status, who).toBe(401);
      expect(res.body).toStrictEqual(unauthorizedBody);
    }
    const scheduler = await send(e, { token: CRON_SECRET });
    expect(scheduler.status, JSON.stringify(scheduler.body)).toBe(200);
  });
});

describe("public routes answer without a token", () => {
  const publics = endpoints.filter(isPublic);

  it.each(publics.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    const res = await send(e, { body: e.method === "GET" ? undefined : {} });
    if (e.method === "GET") {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    } else {
      // A public form with an empty body: done (sign-out) or refused for its input, never for
      // want of a bearer token. Refresh's credential is the refresh token of its body (a documented 401).
      expect(
        [200, 201, 400, ...(e.errors ?? []).filter((s) => s === 401)],
        JSON.stringify(res.body),
      ).toContain(res.status);
      expect(res.body?.code).not.toBe("UNAUTHORIZED");
    }
  });
});

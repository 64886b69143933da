import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rowsOf } from "@/db/client";
import { endpoints } from "@/lib/api";
import type { Endpoint } from "@/lib/api/define";
import { documentedErrors } from "@/lib/api/openapi";
import { ERROR_STATUS } from "@/lib/http/errors";
import { textPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { concretePath, handlerFor, keyOf, paramNames, propertiesOf } from "./helpers/registry";
import { CRON_SECRET, freshIp, useWorld } from "./helpers/world";

// Hostile input against every endpoint of the registry (lib/api/index.ts), as a signed-in caller
// (an admin for admin routes, the cron secret for cron routes) so the validation layer and the
// handlers are reached, not just the 401. For every generated request: never a 5xx, never an
// unhandled rejection or an unknown error logged; the answer is JSON with the documented error
// body and a documented status; a refused request writes nothing (row counts unchanged).
// Reproduce a failure with the seed printed at the start (FC_SEED=… FC_RUNS=…).

const SEED = Number(process.env.FC_SEED ?? 7_2026);
const RUNS = Number(process.env.FC_RUNS ?? 25);
console.info(`[bad-input] fast-check seed=${SEED} numRuns=${RUNS} per endpoint`);

useTempDataDir("bad-input");
const { db } = useTestDb();

/** Endpoints not fuzzed, with the reason. */
const EXCLUDED: Record<string, string> = {};

/**
 * Endpoints fuzzed with hostile path parameters only (never the real resource), with the reason.
 * A real source would crawl the portal: an external side effect, and with no portal a documented
 * 502 BAD_GATEWAY; portal failures are the fault-injection suite's subject.
 */
const HOSTILE_PARAMS_ONLY: Record<string, string> = {
  "POST /api/scraping/{source}/sync": "a real source crawls the external portal (documented 502 without it)",
};

/**
 * Tables a refused request must leave as they were. Not counted: chunks and ingestion_jobs (the
 * in-process runner works on them in the background), sessions and refresh tokens (signing in is
 * a public success path), rate_limit_buckets (a refused attempt counts by design), app_secrets.
 */
const COUNTED_TABLES = [
  "profiles",
  "courses",
  "materials",
  "conversations",
  "messages",
  "chat_history",
  "wallets",
  "token_reservations",
  "financial_transactions",
  "idempotency_keys",
  "documents",
  "curriculum_references",
  "scrape_runs",
  "mail_outbox",
];

const world = useWorld(db);
let validPdf: Uint8Array;
const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
const errorLog = vi.spyOn(console, "error");

beforeAll(async () => {
  process.on("unhandledRejection", onRejection);
  validPdf = await textPdf([["Une page valide."]]);
  errorLog.mockClear();
}, 120_000);

afterAll(() => {
  process.off("unhandledRejection", onRejection);
});

// --- hostile values ---

const HUGE = 100_001;
const hostileText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\uD800",
    "\uDFFF",
    "x\uD83D",
    "\u202Eevil\u202C.pdf",
    "\u200B",
    "\uFEFF",
    "\u200F\u200E\u2066",
    "😀👨‍👩‍👧‍👦🇲🇷",
    "e\u0301\u0302\u0303\u0304\u0305\u0306\u0307",
    "لا إله ﻻ",
    "../../etc/passwd",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e%2f%2e%2e%2f",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\r\nX-Injected: 1",
    "NaN",
    "Infinity",
    "-1",
    "1e309",
    "null",
    "true",
    "{}",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({
    unit: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)),
    maxLength: 4,
  }),
  fc.constantFrom("a", "é", "😀", "\u0000", "\u202E", "../").map((s) => s.repeat(Math.ceil(HUGE / s.length))),
);

const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1.5, 2 ** 53 + 1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 1e-300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Number-like query strings: negative, zero, huge, NaN-like, floats, other digits. */
const hostileNumberText = fc.oneof(
  fc.constantFrom(
    "-1",
    "0",
    "-0",
    "1.5",
    "1e3",
    "1e999",
    "NaN",
    "Infinity",
    "-Infinity",
    "0x10",
    " 7 ",
    "",
    "٣",
    "1_000",
    "9".repeat(400),
    "99999999999999999999",
    "2147483648",
  ),
  hostileNumber.map(String),
);

const anyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(null, true, false),
    hostileNumber,
    hostileText,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(hostileText, tie("value"), { maxKeys: 3 }),
  ),
})).value;

const hostileId = fc.oneof(
  hostileText,
  fc.constantFrom(
    "not-a-uuid",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "{6f1c2a3e-0000-4000-8000-000000000000}",
    "6F1C2A3E-0000-4000-8000-00000000000",
    "6f1c2a3e000040008000000000000000",
    "6f1c2a3e-0000-4000-8000-000000000000/../..",
    "1",
    "-1",
    "0",
    "1.5",
    "999999999999",
  ),
  fc.uuid(),
);

/** A plausible value for a property (so one hostile field at a time reaches deeper checks). */
function plausible(name: string, prop: Record<string, unknown>): unknown {
  const types = [prop, ...((prop.anyOf as Record<string, unknown>[] | undefined) ?? [])];
  const t = types.find((x) => x.type || x.enum) ?? prop;
  if (Array.isArray(t.enum)) return t.enum[0];
  if (t.format === "uuid") return world.ids[name] ?? world.victim.id;
  if (name.includes("email")) return `fuzz.${Date.now().toString(36)}@example.com`;
  if (name.includes("password")) return "password-123";
  if (t.type === "integer" || t.type === "number") return (t.minimum as number | undefined) ?? 1;
  if (t.type === "boolean") return false;
  if (t.type === "array") return [];
  if (name === "currency") return "MRU";
  if (name === "grade") return "7AS";
  return "Texte ordinaire";
}

function fieldValue(name: string, prop: Record<string, unknown>): fc.Arbitrary<unknown> {
  const numeric = JSON.stringify(prop).includes('"integer"') || JSON.stringify(prop).includes('"number"');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(plausible(name, prop)) },
    { weight: 3, arbitrary: numeric ? hostileNumber : hostileText },
    { weight: 2, arbitrary: anyJson },
  );
}

// --- requests ---

type Body =
  | { kind: "none" }
  | { kind: "json"; value: unknown }
  | { kind: "raw"; text: string; contentType: string | null; contentLength?: string }
  | {
      kind: "form";
      fields: [string, string | { name: string; type: string; bytes: "empty" | "pdf" | "junk" | "huge" }][];
    };

interface HostileRequest {
  params: Record<string, string>;
  query: [string, string][];
  body: Body;
}

function paramArb(name: string, hostileOnly: boolean): fc.Arbitrary<string> {
  const real = hostileOnly ? undefined : world.ids[name];
  const bad = name === "page" ? fc.oneof(hostileNumberText, hostileText) : hostileId;
  return real ? fc.oneof({ weight: 2, arbitrary: fc.constant(real) }, { weight: 3, arbitrary: bad }) : bad;
}

function queryArb(e: Endpoint): fc.Arbitrary<[string, string][]> {
  const props = propertiesOf(e.query);
  const perKey = Object.entries(props).map(([name, prop]) =>
    fc.option(
      fc
        .oneof(fc.constant(String(plausible(name, prop))), hostileNumberText, hostileText)
        .map((v): [string, string] => [name, v]),
      { nil: undefined },
    ),
  );
  const extra = fc.array(fc.tuple(hostileText, hostileText), { maxLength: 2 });
  return fc
    .tuple(fc.tuple(...perKey), extra)
    .map(([known, more]) => [...known.filter((x): x is [string, string] => x !== undefined), ...more]);
}

const MALFORMED_JSON = [
  '{"name":',
  "{",
  "[",
  '{"name": "x",}',
  "{'name':'x'}",
  "nul",
  '{"a":1}garbage',
  '"unterminated',
  "\u0000",
  '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
  `${"[".repeat(5000)}${"]".repeat(5000)}`,
];

function jsonBodyArb(e: Endpoint): fc.Arbitrary<Body> {
  const props = propertiesOf(e.body);
  const record = fc.record(
    Object.fromEntries(Object.entries(props).map(([name, prop]) => [name, fieldValue(name, prop)])),
    { requiredKeys: [] },
  );
  const object = fc
    .tuple(record, fc.dictionary(hostileText, anyJson, { maxKeys: 2 }))
    .map(([known, extra]): Body => ({ kind: "json", value: { ...extra, ...known } }));
  // Every field plausible but one (hostile or missing): the hostile value reaches the checks
  // behind the first failing field, and valid-but-strange text reaches the handler and the db.
  const names = Object.keys(props);
  const oneHostile = names.length
    ? fc
        .tuple(
          fc.constantFrom(...names),
          fc.option(fc.oneof(hostileText, hostileNumber, anyJson), { nil: undefined }),
        )
        .map(([name, value]): Body => {
          const base = Object.fromEntries(names.map((n) => [n, plausible(n, props[n] ?? {})]));
          if (value === undefined) delete base[name];
          else base[name] = value;
          return { kind: "json", value: base };
        })
    : object;
  return fc.oneof(
    { weight: 4, arbitrary: object },
    { weight: 4, arbitrary: oneHostile },
    { weight: 1, arbitrary: anyJson.map((value): Body => ({ kind: "json", value })) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...MALFORMED_JSON)
        .map((text): Body => ({ kind: "raw", text, contentType: "application/json" })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          object,
          fc.constantFrom(
            null,
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "application/json-patch",
            "application/xml",
          ),
        )
        .map(
          ([b, contentType]): Body => ({
            kind: "raw",
            text: JSON.stringify(b.kind === "json" ? b.value : {}),
            contentType,
          }),
        ),
    },
    { weight: 1, arbitrary: fc.constant<Body>({ kind: "raw", text: "", contentType: "application/json" }) },
    {
      weight: 1,
      arbitrary: fc.constant<Body>({
        kind: "raw",
        text: JSON.stringify({ pad: "x".repeat(300_000) }),
        contentType: "application/json",
      }),
    },
  );
}

function multipartBodyArb(e: Endpoint): fc.Arbitrary<Body> {
  const textFields = Object.entries(propertiesOf(e.body)).filter(([name]) => name !== "file");
  const fileName = fc.oneof(
    fc.constantFrom("cours.pdf", "../../etc/passwd", "..%2f..%2fpasswd.pdf", "a\u0000b.pdf", ".pdf", "", " "),
    hostileText,
  );
  const file = fc.record({
    name: fileName,
    type: fc.constantFrom("application/pdf", "", "image/png", "text/html", "application/x-msdownload"),
    bytes: fc.constantFrom("empty" as const, "pdf" as const, "junk" as const, "huge" as const),
  });
  const fileField = fc.tuple(fc.constantFrom("file", "file", "File", "files[]", "upload", ""), file);
  const text = textFields.map(([name, prop]) =>
    fc.option(
      fc
        .oneof(fc.constant(String(plausible(name, prop))), hostileText)
        .map((v): [string, string] => [name, v]),
      { nil: undefined },
    ),
  );
  const form = fc
    .tuple(
      fc.option(fileField, { nil: undefined }),
      fc.tuple(...text),
      fc.array(fc.tuple(hostileText, hostileText), { maxLength: 2 }),
    )
    .map(
      ([f, known, extra]): Body => ({
        kind: "form",
        fields: [...(f ? [f] : []), ...known.filter((x): x is [string, string] => x !== undefined), ...extra],
      }),
    );
  const raw = fc.constantFrom<Body>(
    {
      kind: "raw",
      text: '--x\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc\r\n--x--',
      contentType: "multipart/form-data",
    },
    {
      kind: "raw",
      text: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4',
      contentType: "multipart/form-data; boundary=x",
    },
    { kind: "raw", text: "garbage", contentType: "multipart/form-data; boundary=x" },
    { kind: "raw", text: "", contentType: "multipart/form-data; boundary=x" },
    { kind: "raw", text: '{"file":"x"}', contentType: "application/json" },
    { kind: "raw", text: "file=x", contentType: "application/x-www-form-urlencoded" },
    { kind: "raw", text: "--y\r\n\r\n--y--", contentType: "multipart/form-data; boundary=x" },
    {
      kind: "raw",
      text: "--x--",
      contentType: "multipart/form-data; boundary=x",
      contentLength: "999999999999",
    },
  );
  const plausibleText = textFields.map(([name, prop]): [string, string] => [
    name,
    String(plausible(name, prop)),
  ]);
  const validFileHostileName = fc
    .tuple(
      fileName,
      fc.constantFrom(...(plausibleText.length ? plausibleText.map((_, i) => i) : [-1])),
      fc.option(hostileText, { nil: undefined }),
    )
    .map(
      ([name, i, value]): Body => ({
        kind: "form",
        fields: [
          ["file", { name, type: "application/pdf", bytes: "pdf" }],
          ...plausibleText.map(([n, v], j): [string, string] => [
            n,
            j === i && value !== undefined ? value : v,
          ]),
        ],
      }),
    );
  return fc.oneof(
    { weight: 4, arbitrary: form },
    { weight: 2, arbitrary: validFileHostileName },
    { weight: 2, arbitrary: raw },
  );
}

function requestArb(e: Endpoint): fc.Arbitrary<HostileRequest> {
  const params = fc.record(
    Object.fromEntries(paramNames(e).map((n) => [n, paramArb(n, keyOf(e) in HOSTILE_PARAMS_ONLY)])),
  );
  const body: fc.Arbitrary<Body> =
    e.method === "GET"
      ? fc.constant({ kind: "none" })
      : e.bodyKind === "multipart"
        ? multipartBodyArb(e)
        : jsonBodyArb(e);
  return fc.record({ params, query: queryArb(e), body });
}

// --- sending and checking ---

function fileBytes(kind: "empty" | "pdf" | "junk" | "huge"): Uint8Array<ArrayBuffer> {
  if (kind === "pdf") return validPdf as Uint8Array<ArrayBuffer>;
  if (kind === "junk") return new TextEncoder().encode("MZ\u0090\u0000 not a document");
  if (kind === "huge") return new Uint8Array(11 * 1024 * 1024).fill(0x41);
  return new Uint8Array(0);
}

function toRequest(e: Endpoint, r: HostileRequest): Request {
  const search = new URLSearchParams();
  for (const [k, v] of r.query) search.append(k, v);
  const qs = search.toString();
  const url = `http://localhost${concretePath(e, r.params)}${qs ? `?${qs}` : ""}`;
  const headers = new Headers(freshIp());
  const token =
    e.auth === "admin"
      ? world.admin.accessToken
      : e.auth === "cron"
        ? CRON_SECRET
        : e.auth === "user"
          ? world.owner.accessToken
          : undefined;
  if (token) headers.set("authorization", `Bearer ${token}`);
  let body: BodyInit | undefined;
  const b = r.body;
  if (b.kind === "json") {
    body = JSON.stringify(b.value) ?? "";
    headers.set("content-type", "application/json");
  } else if (b.kind === "raw") {
    body = b.text;
    if (b.contentType) headers.set("content-type", b.contentType);
    if (b.contentLength) headers.set("content-length", b.contentLength);
  } else if (b.kind === "form") {
    const form = new FormData();
    for (const [name, v] of b.fields) {
      if (typeof v === "string") form.append(name, v);
      else form.append(name, new File([fileBytes(v.bytes)], v.name, { type: v.type }));
    }
    body = form;
  }
  return new Request(url, { method: e.method, headers, body });
}

async function rowCounts(): Promise<Record<string, number>> {
  const cols = COUNTED_TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(", ");
  const res = await db().execute(sql.raw(`select ${cols}`));
  const rows = rowsOf<Record<string, number>>(res);
  return rows[0] ?? {};
}

const describeRequest = (r: HostileRequest) =>
  JSON.stringify(r, (_, v) =>
    typeof v === "string" && v.length > 200 ? `${v.slice(0, 60)}…(${v.length})` : v,
  );

/** Statuses seen per endpoint, printed at the end: a generator that only ever earns 400s shows here. */
const seen = new Map<string, Map<number, number>>();

async function check(e: Endpoint, r: HostileRequest): Promise<void> {
  const handler = await handlerFor(e);
  const before = await rowCounts();
  const res = await handler(toRequest(e, r), { params: Promise.resolve(r.params) });
  const tally = seen.get(keyOf(e)) ?? new Map<number, number>();
  tally.set(res.status, (tally.get(res.status) ?? 0) + 1);
  seen.set(keyOf(e), tally);
  const text = await res.text();
  const where = `${keyOf(e)} ${describeRequest(r)} → ${res.status} ${text.slice(0, 300)}`;

  expect(res.status, where).toBeLessThan(500);
  const success = e.status ?? 200;
  const allowed = [success, ...documentedErrors(e).filter((s) => s < 500)];
  expect(allowed, where).toContain(res.status);

  const type = res.headers.get("content-type") ?? "";
  if (res.status >= 400) {
    expect(type, where).toMatch(/^application\/json/);
    const body = JSON.parse(text) as Record<string, unknown>;
    const message = body.detail ?? body.error;
    expect(typeof message, where).toBe("string");
    expect(typeof body.code, where).toBe("string");
    expect(ERROR_STATUS[body.code as keyof typeof ERROR_STATUS], where).toBe(res.status);
    if (body.code === "VALIDATION_ERROR") {
      expect(body.errors, where).toEqual(
        expect.arrayContaining([
          { loc: expect.any(Array), field: expect.any(String), msg: expect.any(String) },
        ]),
      );
    }
    expect(await rowCounts(), `partial write: ${where}`).toStrictEqual(before);
  } else if (type.startsWith("application/json") && e.response) {
    const parsed = e.response.safeParse(JSON.parse(text));
    expect(parsed.success, `${where}\n${parsed.error?.message}`).toBe(true);
  } else {
    // Files and streams: only endpoints that declare one.
    expect(e.responseContentType ?? (e.response ? undefined : "json"), where).toBeDefined();
  }
}

// Deletions last: deleting the world's course or textbook early would leave the other endpoints
// nothing but 404s to answer.
const fuzzed = endpoints.filter((e) => !(keyOf(e) in EXCLUDED));
const keeping = fuzzed.filter((e) => e.method !== "DELETE");
const deleting = fuzzed.filter((e) => e.method === "DELETE");
const fuzz = (e: Endpoint) =>
  fc.assert(
    fc.asyncProperty(requestArb(e), (r) => check(e, r)),
    { seed: SEED, numRuns: RUNS, endOnFailure: true },
  );

describe("hostile input never breaks an endpoint", () => {
  it("covers the registry", () => {
    expect(fuzzed.length).toBeGreaterThanOrEqual(60);
    for (const key of [...Object.keys(EXCLUDED), ...Object.keys(HOSTILE_PARAMS_ONLY)])
      expect(
        endpoints.some((e) => keyOf(e) === key),
        key,
      ).toBe(true);
  });

  it.each(keeping.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    await fuzz(e);
  });

  it("stored every uploaded file under a key of its own, whatever its name (no traversal)", async () => {
    const res = await db().execute(
      sql.raw("select storage_key as key from materials union all select storage_key from documents"),
    );
    const keys = rowsOf<{ key: string | null }>(res)
      .map((r) => r.key)
      .filter((k): k is string => k !== null);
    expect(keys.length).toBeGreaterThan(2);
    for (const key of keys) {
      expect(key.split("/"), key).not.toContain("..");
      expect(key.startsWith("/") || key.includes("\\") || key.includes("\u0000"), key).toBe(false);
    }
  });

  it.each(deleting.map((e) => [keyOf(e), e] as const))("%s", async (_, e) => {
    await fuzz(e);
  });

  it("reached past validation: successes and not-founds were generated, not only 400s", () => {
    const lines = [...seen].map(
      ([key, t]) => `${key}: ${[...t].map(([status, n]) => `${status}×${n}`).join(" ")}`,
    );
    console.info(`[bad-input] statuses per endpoint (seed=${SEED}, numRuns=${RUNS}):\n${lines.join("\n")}`);
    const total = (status: number) => [...seen.values()].reduce((n, t) => n + (t.get(status) ?? 0), 0);
    expect(total(200) + total(201)).toBeGreaterThan(fuzzed.length);
    expect(total(404)).toBeGreaterThan(0);
    expect(total(415)).toBeGreaterThan(0);
    expect(total(413)).toBeGreaterThan(0);
  });

  it("left no unhandled rejection, no unknown error logged, no polluted prototype", () => {
    expect(rejections).toStrictEqual([]);
    const unknown = errorLog.mock.calls.filter((c) => /^\[(api|after)\]/.test(String(c[0])));
    expect(unknown.map((c) => c.map(String).join(" ").slice(0, 300))).toStrictEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

import { createHash, randomBytes, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { getStorage, resetStorage } from "@/lib/storage";
import {
  assertSafeKey,
  contentDisposition,
  ObjectExistsError,
  objectKey,
  safeFileName,
  UnsafeKeyError,
} from "@/lib/storage/keys";
import { createSupabaseStorage } from "@/lib/storage/supabase";
import type { ObjectStorage } from "@/lib/storage/types";
import * as fakeStorage from "./fakes/supabase-storage";

const STORAGE_VARS = [
  "DATA_DIR",
  "SUPABASE_URL",
  "SUPABASE_ANON_KEY",
  "SUPABASE_SERVICE_ROLE_KEY",
  "SUPABASE_STORAGE_BUCKET",
] as const;
const savedEnv = Object.fromEntries(STORAGE_VARS.map((name) => [name, process.env[name]]));

function restoreEnv(): void {
  for (const name of STORAGE_VARS) {
    const value = savedEnv[name];
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetEnvCache();
  resetStorage();
}

const USER = randomUUID();
const COURSE = randomUUID();
const newKey = (fileName = "cours.pdf") => objectKey({ userId: USER, courseId: COURSE, fileName });

/** Length and hash: a mismatch in 3 MB reads as two short lines, not a 3 MB diff. */
const digest = (bytes: Uint8Array | null) =>
  bytes && { length: bytes.byteLength, sha256: createHash("sha256").update(bytes).digest("hex") };

async function readAll(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array | null> {
  return stream && new Uint8Array(await new Response(stream).arrayBuffer());
}

/** How many of this process's file descriptors point at `file`. */
async function openDescriptors(file: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir("/proc/self/fd")) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => "");
    if (target === file) count++;
  }
  return count;
}

const PAYLOADS: [string, Uint8Array][] = [
  ["a small PDF-like file", new TextEncoder().encode("%PDF-1.7\nRadioactivité ☢ et énergie\n%%EOF\n")],
  ["a 3 MB random buffer", new Uint8Array(randomBytes(3 * 1024 * 1024))],
  ["an empty object", new Uint8Array()],
];

const UNSAFE_KEYS = [
  "",
  "/etc/passwd",
  "../outside.pdf",
  `${USER}/../../outside.pdf`,
  `${USER}/./x.pdf`,
  `${USER}//x.pdf`,
  `${USER}/`,
  `${USER}\\x.pdf`,
  `${USER}/x\u0000.pdf`,
  `${USER}/%2e%2e/x.pdf`,
  `${USER}/x.pdf?download`,
  `${USER}/.hidden`,
  "C:/x.pdf",
];

let dataDir: string;
beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), "bacmr-storage-"));
});
afterAll(async () => {
  restoreEnv();
  await rm(dataDir, { recursive: true, force: true });
});

interface Backend {
  storage: ObjectStorage;
  /** A number that changes when the backend is touched: the fake's requests, the files under DATA_DIR. */
  activity(): Promise<number>;
}

const backends: Record<"local" | "supabase", () => Promise<{ backend: Backend; stop(): Promise<void> }>> = {
  async local() {
    process.env.DATA_DIR = path.join(dataDir, "local");
    delete process.env.SUPABASE_URL;
    delete process.env.SUPABASE_SERVICE_ROLE_KEY;
    resetEnvCache();
    resetStorage();
    const dir = process.env.DATA_DIR;
    const activity = async () => (await readdir(dir, { recursive: true }).catch(() => [])).length;
    return { backend: { storage: getStorage(), activity }, stop: async () => {} };
  },
  async supabase() {
    const fake = await fakeStorage.start();
    process.env.DATA_DIR = path.join(dataDir, "supabase");
    process.env.SUPABASE_URL = fake.url;
    process.env.SUPABASE_ANON_KEY = fake.anonKey;
    process.env.SUPABASE_SERVICE_ROLE_KEY = fake.serviceRoleKey;
    resetEnvCache();
    resetStorage();
    return {
      backend: { storage: getStorage(), activity: async () => fake.requests.length },
      stop: () => fake.close(),
    };
  },
};

describe.each(["local", "supabase"] as const)("%s storage: the ObjectStorage contract", (kind) => {
  let backend: Backend;
  let stop: () => Promise<void>;
  const storage = () => backend.storage;

  beforeAll(async () => {
    ({ backend, stop } = await backends[kind]());
  });
  afterAll(async () => {
    await stop();
    restoreEnv();
  });

  it("is what getStorage() picks for this environment, once per process", () => {
    expect(storage().name).toBe(kind);
    expect(getStorage()).toBe(storage());
  });

  it.each(PAYLOADS)("round-trips %s through getBytes and getStream", async (_label, bytes) => {
    const key = newKey();
    await storage().put(key, bytes, "application/pdf");
    const stored = await storage().getBytes(key);
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(digest(stored)).toStrictEqual(digest(bytes));
    expect(digest(await readAll(await storage().getStream(key)))).toStrictEqual(digest(bytes));
  });

  it("answers null for an object that does not exist", async () => {
    const key = newKey();
    expect(await storage().getBytes(key)).toBeNull();
    expect(await storage().getStream(key)).toBeNull();
    // A whole missing folder too (another user, another course).
    const elsewhere = objectKey({ userId: randomUUID(), courseId: randomUUID(), fileName: "x.pdf" });
    expect(await storage().getBytes(elsewhere)).toBeNull();
  });

  it("deletes, and deleting what is gone is not an error", async () => {
    const key = newKey();
    await storage().put(key, new Uint8Array([1, 2, 3]), "image/png");
    await storage().delete(key);
    expect(await storage().getBytes(key)).toBeNull();
    expect(await storage().getStream(key)).toBeNull();
    await expect(storage().delete(key)).resolves.toBeUndefined();
    await expect(storage().delete(newKey())).resolves.toBeUndefined();
  });

  it("never overwrites (upsert: false): a second put of a key is refused and the first bytes stay", async () => {
    const key = newKey();
    await storage().put(key, new Uint8Array([1]), "application/pdf");
    const second = storage().put(key, new Uint8Array([2, 2]), "application/pdf");
    await expect(second).rejects.toBeInstanceOf(ObjectExistsError);
    await expect(second).rejects.toThrow(`An object already exists at ${key}`);
    expect(await storage().getBytes(key)).toStrictEqual(new Uint8Array([1]));
    // Once deleted, the key may be written again.
    await storage().delete(key);
    await storage().put(key, new Uint8Array([3]), "application/pdf");
    expect(await storage().getBytes(key)).toStrictEqual(new Uint8Array([3]));
  });

  it("lets exactly one of several concurrent puts of one key win, whole", async () => {
    const key = newKey();
    const contents = [1, 2, 3, 4, 5].map((n) => new Uint8Array(256 * 1024).fill(n));
    const results = await Promise.allSettled(contents.map((bytes) => storage().put(key, bytes, "image/png")));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(ObjectExistsError);
    const winner = contents[results.findIndex((r) => r.status === "fulfilled")] ?? null;
    expect(digest(await storage().getBytes(key))).toStrictEqual(digest(winner));
  });

  it("stores keys made from French and Arabic names", async () => {
    for (const name of ["Radioactivité – cours (v2).pdf", "درس الفيزياء.png", "../../etc/passwd"]) {
      const key = newKey(name);
      await storage().put(key, new Uint8Array([7]), "application/pdf");
      expect(await storage().getBytes(key)).toStrictEqual(new Uint8Array([7]));
    }
  });

  it.each(UNSAFE_KEYS)("refuses the unsafe key %j in every operation, before any I/O", async (key) => {
    const before = await backend.activity();
    await expect(storage().put(key, new Uint8Array([1]), "application/pdf")).rejects.toBeInstanceOf(
      UnsafeKeyError,
    );
    await expect(storage().getBytes(key)).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(storage().getStream(key)).rejects.toBeInstanceOf(UnsafeKeyError);
    await expect(storage().delete(key)).rejects.toBeInstanceOf(UnsafeKeyError);
    expect(await backend.activity()).toBe(before);
  });
});

describe("local storage on disk", () => {
  let root: string;
  let storage: ObjectStorage;
  beforeAll(() => {
    process.env.DATA_DIR = path.join(dataDir, "disk");
    delete process.env.SUPABASE_URL;
    resetEnvCache();
    resetStorage();
    storage = getStorage();
    root = path.join(dataDir, "disk", "storage");
  });
  afterAll(restoreEnv);

  it("writes DATA_DIR/storage/<key> and leaves no temporary file, even after a refused put", async () => {
    const key = newKey("Fiche de révision.pdf");
    await storage.put(key, new Uint8Array([1, 2]), "application/pdf");
    await expect(storage.put(key, new Uint8Array([3]), "application/pdf")).rejects.toBeInstanceOf(
      ObjectExistsError,
    );
    expect(await readFile(path.join(root, ...key.split("/")))).toStrictEqual(Buffer.from([1, 2]));
    expect(await readdir(path.join(root, USER, COURSE))).toStrictEqual([path.basename(key)]);
  });

  it("treats a folder as no object: null to read, nothing to delete, the folder kept", async () => {
    const folderKey = `${USER}/${COURSE}`;
    await mkdir(path.join(root, USER, COURSE), { recursive: true });
    expect(await storage.getBytes(folderKey)).toBeNull();
    expect(await storage.getStream(folderKey)).toBeNull();
    await storage.delete(folderKey);
    expect(existsSync(path.join(root, USER, COURSE))).toBe(true);
  });

  it("answers null when a file stands where a folder of the key should be", async () => {
    const key = newKey();
    await storage.put(key, new Uint8Array([1]), "application/pdf");
    expect(await storage.getBytes(`${key}/inner.pdf`)).toBeNull();
    await expect(storage.delete(`${key}/inner.pdf`)).resolves.toBeUndefined();
  });

  it("ends a download cancelled midway quietly", async () => {
    const key = newKey();
    await storage.put(key, new Uint8Array(randomBytes(1024 * 1024)), "application/pdf");
    const reader = (await storage.getStream(key))?.getReader();
    // Time for a stream that reads ahead to start flowing: cancelling Readable.toWeb's stream then
    // throws an uncaught exception on Node 20 (a client aborting a download would end the server),
    // which Vitest reports as an error of this file.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await reader?.read())?.done).toBe(false);
    await reader?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
  });

  // What a download holds open is visible in /proc on Linux (CI); elsewhere there is nothing to look at.
  it.runIf(process.platform === "linux")("closes the file when a download ends or is cancelled", async () => {
    const key = newKey();
    const file = path.join(root, ...key.split("/"));
    await storage.put(key, new Uint8Array(randomBytes(1024 * 1024)), "application/pdf");

    const reader = (await storage.getStream(key))?.getReader();
    expect(await openDescriptors(file)).toBe(1);
    expect((await reader?.read())?.done).toBe(false);
    await reader?.cancel();
    await vi.waitFor(async () => expect(await openDescriptors(file)).toBe(0));

    expect(await readAll(await storage.getStream(key))).toHaveLength(1024 * 1024);
    await vi.waitFor(async () => expect(await openDescriptors(file)).toBe(0));
  });
});

describe("supabase storage against its HTTP API", () => {
  let fake: fakeStorage.FakeSupabaseStorage;
  let storage: ObjectStorage;
  const withConfig = (config: Partial<Parameters<typeof createSupabaseStorage>[0]>) =>
    createSupabaseStorage({
      url: fake.url,
      serviceRoleKey: fake.serviceRoleKey,
      bucket: "materials",
      ...config,
    });

  beforeAll(async () => {
    fake = await fakeStorage.start();
    process.env.DATA_DIR = path.join(dataDir, "supabase-only");
    process.env.SUPABASE_URL = fake.url;
    process.env.SUPABASE_ANON_KEY = fake.anonKey;
    process.env.SUPABASE_SERVICE_ROLE_KEY = fake.serviceRoleKey;
    process.env.SUPABASE_STORAGE_BUCKET = "course-files";
    fake.buckets.set("course-files", new Map());
    resetEnvCache();
    resetStorage();
    storage = getStorage();
  });
  afterAll(async () => {
    await fake.close();
    restoreEnv();
  });

  it("uploads to SUPABASE_STORAGE_BUCKET with the content type, and writes nothing locally", async () => {
    const key = newKey();
    await storage.put(key, new Uint8Array([1, 2, 3]), "application/pdf");
    expect(fake.requests.at(-1)).toBe(`POST /object/course-files/${key}`);
    expect(fake.buckets.get("course-files")?.get(key)).toMatchObject({
      bytes: Buffer.from([1, 2, 3]),
      contentType: "application/pdf",
    });
    expect(fake.buckets.get("materials")?.size).toBe(0);
    expect(existsSync(path.join(dataDir, "supabase-only"))).toBe(false);
  });

  it("deletes through DELETE /object/{bucket} with the key as a prefix", async () => {
    const key = newKey();
    await storage.put(key, new Uint8Array([1]), "application/pdf");
    await storage.delete(key);
    expect(fake.requests.at(-1)).toBe("DELETE /object/course-files");
    expect(fake.buckets.get("course-files")?.has(key)).toBe(false);
  });

  it("fails loudly with a key that is not the service-role key", async () => {
    const anon = withConfig({ serviceRoleKey: fake.anonKey });
    await expect(anon.put(newKey(), new Uint8Array([1]), "application/pdf")).rejects.toThrow(
      "Supabase Storage upload failed (403): The fake accepts only the service-role key",
    );
    await expect(anon.getBytes(newKey())).rejects.toThrow(/download failed \(403\)/);
    const unknown = withConfig({ serviceRoleKey: "not-a-key" });
    await expect(unknown.getBytes(newKey())).rejects.toThrow(
      "Supabase Storage download failed (401): Invalid API key",
    );
  });

  it("treats a missing bucket as an error, never as a missing file", async () => {
    const wrong = withConfig({ bucket: "no-such-bucket" });
    const key = newKey();
    await expect(wrong.getBytes(key)).rejects.toThrow(
      "Supabase Storage download failed (404): Bucket not found",
    );
    await expect(wrong.getStream(key)).rejects.toThrow("Bucket not found");
    await expect(wrong.delete(key)).rejects.toThrow("Supabase Storage delete failed (404): Bucket not found");
    await expect(wrong.put(key, new Uint8Array([1]), "application/pdf")).rejects.toThrow("Bucket not found");
  });

  it("treats a 404 that is not Storage's 'Object not found' as an error (a wrong SUPABASE_URL)", async () => {
    const wrong = withConfig({ url: `${fake.url}/not-supabase` });
    await expect(wrong.getBytes(newKey())).rejects.toThrow(/download failed \(404\): Route GET:/);
  });

  it("gives up when Storage does not answer in time", async () => {
    const impatient = withConfig({ bucket: "course-files", timeoutMs: 200 });
    fake.stall();
    const started = Date.now();
    await expect(impatient.put(newKey(), new Uint8Array([1]), "application/pdf")).rejects.toThrow(
      "Supabase Storage upload failed: Supabase Storage did not answer within 0.2 s",
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports an unreachable Storage as an error", async () => {
    const down = withConfig({ url: "http://127.0.0.1:9" });
    await expect(down.getBytes(newKey())).rejects.toThrow(/^Supabase Storage download failed: /);
  });

  it("refuses an invalid bucket name at creation", () => {
    expect(() => withConfig({ bucket: "" })).toThrow("Invalid Supabase Storage bucket name");
    expect(() => withConfig({ bucket: "a/b" })).toThrow("Invalid Supabase Storage bucket name");
  });
});

describe("objectKey", () => {
  it("is userId/courseId/uuid-safe-name, new every time", () => {
    const first = newKey("cours.pdf");
    expect(first).toMatch(
      new RegExp(
        `^${USER}/${COURSE}/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}-cours\\.pdf$`,
      ),
    );
    expect(newKey("cours.pdf")).not.toBe(first);
  });

  it.each([
    ["Radioactivité – cours.pdf", "Radioactivite-cours.pdf"],
    ["Œuvre complète de Molière.PDF", "OEuvre-complete-de-Moliere.pdf"],
    ["Straße_Ærø.jpeg", "Strasse_AEro.jpeg"],
    ["درس الفيزياء.pdf", "file.pdf"],
    ["صورة", "file"],
    ["Cours درس 1.png", "Cours-1.png"],
    ["../../etc/passwd", "passwd"],
    ["C:\\Users\\ada\\Desktop\\notes.pdf", "notes.pdf"],
    ["..", "file"],
    ["...pdf", "pdf"],
    [".htaccess", "htaccess"],
    ["  .pdf", "pdf"],
    ["", "file"],
    ["evil.pdf\r\nX-Injected: 1", "evil-pdf-X-Injected-1"],
    ["a\u0000b.pdf", "a-b.pdf"],
    ["rapport final (v2) [corrigé].pdf", "rapport-final-v2-corrige.pdf"],
    ["archive.tar.gz", "archive-tar.gz"],
    ["x.<script>", "x-script"],
    ["photo.jpg.exe", "photo-jpg.exe"],
    ["ﬁchier ①.pdf", "fichier-1.pdf"],
  ])("names %j as %j", (fileName, expected) => {
    expect(safeFileName(fileName)).toBe(expected);
    expect(() => assertSafeKey(newKey(fileName))).not.toThrow();
  });

  it("keeps names to 100 characters, extension included", () => {
    const name = safeFileName(`${"é".repeat(300)}.pdf`);
    expect(name).toBe(`${"e".repeat(96)}.pdf`);
    expect(safeFileName(`${"ab-".repeat(60)}.pdf`)).toMatch(/^(ab-)+ab\.pdf$/);
    expect(safeFileName(`${"ab-".repeat(60)}.pdf`).length).toBeLessThanOrEqual(100);
  });

  it.each([
    [{ userId: "not-a-uuid", courseId: COURSE }, "userId must be a UUID"],
    [{ userId: `${USER}/..`, courseId: COURSE }, "userId must be a UUID"],
    [{ userId: USER, courseId: "../../x" }, "courseId must be a UUID"],
    [{ userId: USER, courseId: "" }, "courseId must be a UUID"],
  ])("refuses ids that are not UUIDs: %j", (ids, message) => {
    expect(() => objectKey({ ...ids, fileName: "x.pdf" })).toThrow(message);
  });
});

describe("assertSafeKey", () => {
  it.each([`${USER}/${COURSE}/${randomUUID()}-cours.pdf`, "a", "a/b.c/d_e-f"])("accepts %j", (key) => {
    expect(() => assertSafeKey(key)).not.toThrow();
  });

  it.each([
    ["", "empty"],
    ["/etc/passwd", "absolute path"],
    ["C:/x", "absolute path"],
    ["a/../b", "dot segment"],
    ["..", "dot segment"],
    ["a\\b", "backslash"],
    ["a\u0000b", "NUL character"],
    ["a//b", "empty path segment"],
    ["a/", "empty path segment"],
    ["a/.tmp", "segment starting with a dot"],
    ["a/%2e%2e/b", "character outside A-Z a-z 0-9 . _ -"],
    ["a/b c", "character outside A-Z a-z 0-9 . _ -"],
    ["a/é", "character outside A-Z a-z 0-9 . _ -"],
    [`a/${"x".repeat(256)}`, "path segment longer than 255 characters"],
    ["x/".repeat(600), "longer than 1024 characters"],
  ])("refuses %j (%s)", (key, reason) => {
    expect(() => assertSafeKey(key)).toThrow(UnsafeKeyError);
    expect(() => assertSafeKey(key)).toThrow(reason);
  });
});

describe("contentDisposition", () => {
  it.each([
    [
      "Radioactivité – cours.pdf",
      `attachment; filename="Radioactivite - cours.pdf"; filename*=UTF-8''Radioactivit%C3%A9%20%E2%80%93%20cours.pdf`,
    ],
    [
      "درس الفيزياء.pdf",
      `attachment; filename="file.pdf"; filename*=UTF-8''%D8%AF%D8%B1%D8%B3%20%D8%A7%D9%84%D9%81%D9%8A%D8%B2%D9%8A%D8%A7%D8%A1.pdf`,
    ],
    ["notes.pdf", `attachment; filename="notes.pdf"; filename*=UTF-8''notes.pdf`],
    [
      `Le "vrai" cours d'Ada (v2)*.pdf`,
      `attachment; filename="Le 'vrai' cours d'Ada (v2)*.pdf"; filename*=UTF-8''Le%20%22vrai%22%20cours%20d%27Ada%20%28v2%29%2A.pdf`,
    ],
    ["back\\slash.pdf", `attachment; filename="slash.pdf"; filename*=UTF-8''slash.pdf`],
    ["../../etc/passwd", `attachment; filename="passwd"; filename*=UTF-8''passwd`],
    [
      "evil.pdf\r\nSet-Cookie: session=stolen",
      `attachment; filename="evil.pdfSet-Cookie: session=stolen"; filename*=UTF-8''evil.pdfSet-Cookie%3A%20session%3Dstolen`,
    ],
    ["cours\u202Efdp.exe", `attachment; filename="coursfdp.exe"; filename*=UTF-8''coursfdp.exe`],
    [
      "100%25 réussite.pdf",
      `attachment; filename="100_25 reussite.pdf"; filename*=UTF-8''100%2525%20r%C3%A9ussite.pdf`,
    ],
    [
      "📘 révision.pdf",
      `attachment; filename="_ revision.pdf"; filename*=UTF-8''%F0%9F%93%98%20r%C3%A9vision.pdf`,
    ],
    ["\uD800.pdf", `attachment; filename="file.pdf"; filename*=UTF-8''%EF%BF%BD.pdf`],
    ["", `attachment; filename="file"; filename*=UTF-8''file`],
    [" \r\n ", `attachment; filename="file"; filename*=UTF-8''file`],
  ])("%j → %s", (fileName, expected) => {
    const value = contentDisposition(fileName);
    expect(value).toBe(expected);
    // A value a Response will carry as it is (no CR, LF or other byte that Headers refuses).
    expect(new Headers({ "content-disposition": value }).get("content-disposition")).toBe(value);
  });

  it("keeps a decomposed (macOS) name in its composed form", () => {
    expect(contentDisposition("Re\u0301sume\u0301.pdf")).toBe(
      `attachment; filename="Resume.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9.pdf`,
    );
  });

  it("offers inline display on request", () => {
    expect(contentDisposition("page.png", "inline")).toBe(
      `inline; filename="page.png"; filename*=UTF-8''page.png`,
    );
  });

  it("shortens very long names to 255 characters, keeping the extension", () => {
    const value = contentDisposition(`${"é".repeat(400)}.pdf`);
    expect(value).toBe(
      `attachment; filename="${"e".repeat(251)}.pdf"; filename*=UTF-8''${"%C3%A9".repeat(251)}.pdf`,
    );
  });
});

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as materialsRoute from "@/app/api/courses/[course_id]/materials/route";
import * as searchRoute from "@/app/api/courses/[course_id]/materials/search/route";
import * as courseRoute from "@/app/api/courses/[course_id]/route";
import * as coursesRoute from "@/app/api/courses/route";
import * as downloadRoute from "@/app/api/materials/[material_id]/download/route";
import * as materialRoute from "@/app/api/materials/[material_id]/route";
import { chunks } from "@/db/schema";
import { resetEnvCache } from "@/lib/config/env";
import { getStorage } from "@/lib/storage";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { type CallResult, call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";

const textPdf = (pages: string[]) => linesPdf(pages.map((p) => [p]));

import { encryptedPdf, textPdf as linesPdf } from "./fixtures-gen/documents";
import { createSignedInUser } from "./helpers/users";

// Uploads land in a temporary DATA_DIR; processing runs in this process as in the embedded setup.
useTempDataDir("materials");

const { db } = useTestDb();

type User = Awaited<ReturnType<typeof createSignedInUser>>;

async function newCourse(user: User, name = "Physique-Chimie"): Promise<string> {
  const res = await call(coursesRoute.POST, {
    path: "/api/courses",
    method: "POST",
    token: user.accessToken,
    body: { name },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

async function upload(
  user: User,
  courseId: string,
  file: { name: string; type: string; bytes: Uint8Array },
): Promise<CallResult> {
  const form = new FormData();
  form.append("file", new File([file.bytes as Uint8Array<ArrayBuffer>], file.name, { type: file.type }));
  const req = new Request(`http://localhost/api/courses/${courseId}/materials`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.accessToken}` },
    body: form,
  });
  const res = await materialsRoute.POST(req, { params: Promise.resolve({ course_id: courseId }) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

const PAGES = [
  "La radioactivité est une transformation spontanée d'un noyau instable. Elle est aléatoire et inéluctable.",
  "Lors d'une transformation nucléaire il y a conservation de la charge électrique et du nombre de nucléons.",
  "La demi-vie t½ est la durée au bout de laquelle la moitié des noyaux initialement présents s'est désintégrée.",
];

describe("courses", () => {
  it("creates, lists, renames and deletes; another user's course is 404", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const id = await newCourse(ada, "Maths");
    const list = await call(coursesRoute.GET, { path: "/api/courses", token: ada.accessToken });
    expect(list.body).toStrictEqual([
      {
        id,
        name: "Maths",
        description: null,
        created_at: expect.any(String),
        updated_at: expect.any(String),
      },
    ]);
    expect(
      (await call(coursesRoute.GET, { path: "/api/courses", token: bob.accessToken })).body,
    ).toStrictEqual([]);
    const params = { course_id: id };
    const renamed = await call(courseRoute.PATCH, {
      path: `/api/courses/${id}`,
      method: "PATCH",
      token: ada.accessToken,
      params,
      body: { name: "Mathématiques", description: "Terminale C" },
    });
    expect(renamed.body).toMatchObject({ name: "Mathématiques", description: "Terminale C" });
    for (const [handler, method] of [
      [courseRoute.GET, "GET"],
      [courseRoute.PATCH, "PATCH"],
      [courseRoute.DELETE, "DELETE"],
    ] as const) {
      const res = await call(handler, {
        path: `/api/courses/${id}`,
        method,
        token: bob.accessToken,
        params,
        body: method === "PATCH" ? { name: "x" } : undefined,
      });
      expect(res.status).toBe(404);
      expect(res.body).toStrictEqual({ detail: "Course not found", code: "NOT_FOUND" });
    }
    const del = await call(courseRoute.DELETE, {
      path: `/api/courses/${id}`,
      method: "DELETE",
      token: ada.accessToken,
      params,
    });
    expect(del.body).toStrictEqual({ message: "Course deleted successfully" });
    expect(
      (await call(courseRoute.GET, { path: `/api/courses/${id}`, token: ada.accessToken, params })).status,
    ).toBe(404);
  });

  it("validates names", async () => {
    const ada = await createSignedInUser(db());
    const res = await call(coursesRoute.POST, {
      path: "/api/courses",
      method: "POST",
      token: ada.accessToken,
      body: { name: "  " },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe("name cannot be empty");
  });
});

describe("materials", () => {
  it("upload → pending → processed → searchable with its page → download → delete", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const bytes = await textPdf(PAGES);
    const up = await upload(ada, courseId, {
      name: "Radioactivité – cours.pdf",
      type: "application/pdf",
      bytes,
    });
    expect(up.status).toBe(201);
    expect(up.body).toStrictEqual({
      id: expect.any(String),
      course_id: courseId,
      name: "Radioactivité – cours.pdf",
      file_path: expect.stringMatching(new RegExp(`^${ada.id}/${courseId}/[0-9a-f-]+-`)),
      file_type: "application/pdf",
      file_size: bytes.byteLength,
      processing_status: "pending",
      processed_at: null,
      error_message: null,
      has_embedding: false,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    const id = up.body.id as string;
    const params = { material_id: id };

    await settleIngestion();
    const done = await call(materialRoute.GET, {
      path: `/api/materials/${id}`,
      token: ada.accessToken,
      params,
    });
    expect(done.body).toMatchObject({
      processing_status: "completed",
      has_embedding: true,
      error_message: null,
    });
    expect(done.body.processed_at).toEqual(expect.any(String));
    const stored = await db().select().from(chunks).where(eq(chunks.materialId, id));
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((c) => c.embedding && c.embeddingModel)).toBe(true);

    const search = await call(searchRoute.GET, {
      path: `/api/courses/${courseId}/materials/search?query=${encodeURIComponent("qu'est-ce qui se conserve dans une réaction nucléaire ?")}`,
      token: ada.accessToken,
      params: { course_id: courseId },
    });
    expect(search.status).toBe(200);
    expect(search.body).toHaveLength(1);
    expect(search.body[0]).toStrictEqual({
      material_id: id,
      name: "Radioactivité – cours.pdf",
      excerpt: expect.stringContaining("conservation de la charge"),
      similarity_score: expect.any(Number),
      file_type: "application/pdf",
      page: expect.any(Number),
    });
    expect(search.body[0].similarity_score).toBeGreaterThan(0);
    expect(search.body[0].similarity_score).toBeLessThanOrEqual(1);
    expect(search.body[0].excerpt.length).toBeLessThanOrEqual(500);

    const dl = await downloadRoute.GET(
      new Request(`http://localhost/api/materials/${id}/download`, {
        headers: { authorization: `Bearer ${ada.accessToken}` },
      }),
      { params: Promise.resolve(params) },
    );
    expect(dl.status).toBe(200);
    expect(dl.headers.get("content-type")).toBe("application/pdf");
    expect(dl.headers.get("content-disposition")).toContain("filename*=UTF-8''Radioactivit%C3%A9");
    expect(Buffer.from(await dl.arrayBuffer()).equals(Buffer.from(bytes))).toBe(true);

    const del = await call(materialRoute.DELETE, {
      path: `/api/materials/${id}`,
      method: "DELETE",
      token: ada.accessToken,
      params,
    });
    expect(del.body).toStrictEqual({ message: "Material deleted successfully" });
    expect((await db().select().from(chunks).where(eq(chunks.materialId, id))).length).toBe(0);
    expect(await getStorage().getBytes(up.body.file_path)).toBeNull();
    const gone = await call(materialRoute.GET, {
      path: `/api/materials/${id}`,
      token: ada.accessToken,
      params,
    });
    expect(gone.status).toBe(404);
    expect(gone.body).toStrictEqual({ detail: "Material not found", code: "NOT_FOUND" });
  });

  it("lists newest first; another user sees 404 for the course and the material", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const first = await upload(ada, courseId, {
      name: "a.pdf",
      type: "application/pdf",
      bytes: await textPdf(["Un."]),
    });
    const second = await upload(ada, courseId, {
      name: "b.pdf",
      type: "application/pdf",
      bytes: await textPdf(["Deux."]),
    });
    const list = await call(materialsRoute.GET, {
      path: `/api/courses/${courseId}/materials`,
      token: ada.accessToken,
      params: { course_id: courseId },
    });
    expect(list.body.map((m: { id: string }) => m.id)).toStrictEqual([second.body.id, first.body.id]);

    const asBob = { token: bob.accessToken };
    expect(
      (await call(materialsRoute.GET, { path: "/", ...asBob, params: { course_id: courseId } })).body,
    ).toStrictEqual({
      detail: "Course not found",
      code: "NOT_FOUND",
    });
    expect(
      (await upload(bob, courseId, { name: "x.pdf", type: "application/pdf", bytes: await textPdf(["x"]) }))
        .status,
    ).toBe(404);
    const search = await call(searchRoute.GET, {
      path: "/?query=un",
      ...asBob,
      params: { course_id: courseId },
    });
    expect(search.status).toBe(404);
    for (const handler of [materialRoute.GET, materialRoute.DELETE, downloadRoute.GET]) {
      const res = await call(handler, { path: "/", ...asBob, params: { material_id: first.body.id } });
      expect(res.status).toBe(404);
      expect(res.body).toStrictEqual({ detail: "Material not found", code: "NOT_FOUND" });
    }
  });

  it.each([
    [
      { name: "photo.bmp", type: "image/bmp", bytes: new Uint8Array([0x42, 0x4d, 1, 2, 3, 4, 5, 6]) },
      400,
      "File type image/bmp not allowed",
    ],
    [{ name: "empty.pdf", type: "application/pdf", bytes: new Uint8Array() }, 400, "File is empty"],
  ])("refuses %j", async (file, status, detail) => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const res = await upload(ada, courseId, file);
    expect(res.status).toBe(status);
    expect(res.body.detail).toBe(detail);
    const list = await call(materialsRoute.GET, {
      path: "/",
      token: ada.accessToken,
      params: { course_id: courseId },
    });
    expect(list.body).toStrictEqual([]);
  });

  it("refuses a .pdf that is really text or an executable", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    for (const bytes of [
      new TextEncoder().encode("just some text, not a PDF"),
      new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]),
    ]) {
      const res = await upload(ada, courseId, { name: "cours.pdf", type: "application/pdf", bytes });
      expect(res.status).toBe(400);
      expect(res.body.detail).toEqual(expect.any(String));
    }
  });

  it("refuses a missing file field and a file over the limit", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const req = new Request(`http://localhost/api/courses/${courseId}/materials`, {
      method: "POST",
      headers: { authorization: `Bearer ${ada.accessToken}` },
      body: new FormData(),
    });
    const res = await materialsRoute.POST(req, { params: Promise.resolve({ course_id: courseId }) });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toBe('file: a file is required (multipart field "file")');

    process.env.MAX_UPLOAD_MB = "0.01";
    resetEnvCache();
    try {
      const { randomBytes } = await import("node:crypto");
      const bytes = new Uint8Array([...new TextEncoder().encode("%PDF-1.4\n"), ...randomBytes(20_000)]);
      const big = await upload(ada, courseId, { name: "big.pdf", type: "application/pdf", bytes });
      expect(big.status).toBe(413);
      expect(big.body.detail).toMatch(/^File too large/);
    } finally {
      delete process.env.MAX_UPLOAD_MB;
      resetEnvCache();
    }
  });

  it("a corrupt PDF ends failed with a readable message", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const good = await textPdf(["Bonjour"]);
    const broken = new Uint8Array([...good.slice(0, 40), ...new TextEncoder().encode("garbage".repeat(20))]);
    const up = await upload(ada, courseId, { name: "broken.pdf", type: "application/pdf", bytes: broken });
    expect(up.status).toBe(201);
    await settleIngestion();
    const m = await call(materialRoute.GET, {
      path: "/",
      token: ada.accessToken,
      params: { material_id: up.body.id },
    });
    expect(m.body).toMatchObject({ processing_status: "failed", has_embedding: false });
    expect(m.body.error_message).toEqual(expect.any(String));
  });
});

describe("documents that cannot be processed end failed with a reason", () => {
  async function failedWith(file: Uint8Array, name: string): Promise<string> {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const up = await upload(ada, courseId, { name, type: "application/pdf", bytes: file });
    expect(up.status).toBe(201);
    await settleIngestion();
    const m = await call(materialRoute.GET, {
      path: "/",
      token: ada.accessToken,
      params: { material_id: up.body.id },
    });
    expect(m.body.processing_status).toBe("failed");
    return m.body.error_message;
  }

  it("a password-protected PDF", async () => {
    expect(await failedWith(encryptedPdf(), "secret.pdf")).toBe(
      "This PDF is password-protected; upload a version without a password",
    );
  });

  it("a PDF with more pages than INGEST_MAX_PAGES", async () => {
    process.env.INGEST_MAX_PAGES = "2";
    resetEnvCache();
    try {
      expect(await failedWith(await textPdf(["un", "deux", "trois"]), "long.pdf")).toMatch(/page/i);
    } finally {
      delete process.env.INGEST_MAX_PAGES;
      resetEnvCache();
    }
  });
});

describe("search input", () => {
  it.each([
    ["", "Query parameter cannot be empty"],
    ["?query=", "Query parameter cannot be empty"],
    ["?query=%20%20", "Query parameter cannot be empty"],
    [`?query=${"a".repeat(501)}`, "query must be at most 500 characters"],
    ["?query=ok&limit=0", "limit must be an integer from 1 to 10"],
    ["?query=ok&limit=11", "limit must be an integer from 1 to 10"],
    ["?query=ok&limit=x", "limit must be an integer from 1 to 10"],
  ])("%s → 400 %s", async (qs, detail) => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const res = await call(searchRoute.GET, {
      path: `/x${qs}`,
      token: ada.accessToken,
      params: { course_id: courseId },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toBe(detail);
  });

  it("no processed material → []", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const res = await call(searchRoute.GET, {
      path: "/x?query=noyau",
      token: ada.accessToken,
      params: { course_id: courseId },
    });
    expect(res.status).toBe(200);
    expect(res.body).toStrictEqual([]);
  });
});

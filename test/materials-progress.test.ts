import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import * as statusRoute from "@/app/api/courses/[course_id]/materials/status/route";
import * as coursesRoute from "@/app/api/courses/route";
import * as retryRoute from "@/app/api/materials/[material_id]/retry/route";
import { ingestionJobs } from "@/db/schema";
import { retryMaterial } from "@/lib/courses/material-progress";
import { uploadMaterial } from "@/lib/courses/materials";
import { claimNextJob, completeJob, heartbeat } from "@/lib/ingest/jobs";
import { ingestMaterial } from "@/lib/ingest/pipeline";
import { getStorage } from "@/lib/storage";
import { textPdf as linesPdf } from "./fixtures-gen/documents";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { settleIngestion } from "./helpers/ingest";
import { createSignedInUser } from "./helpers/users";

// Uploads land in a temporary DATA_DIR; processing runs in this process as in the embedded setup.
useTempDataDir("materials-progress");

const { db } = useTestDb();

type User = Awaited<ReturnType<typeof createSignedInUser>>;

const PAGES = [
  "La radioactivité est une transformation spontanée d'un noyau instable. Elle est aléatoire et inéluctable.",
  "Lors d'une transformation nucléaire il y a conservation de la charge électrique et du nombre de nucléons.",
  "La demi-vie t½ est la durée au bout de laquelle la moitié des noyaux initialement présents s'est désintégrée.",
];

const textPdf = (pages: string[]) => linesPdf(pages.map((p) => [p]));
const CORRUPT = new TextEncoder().encode("%PDF-1.4 garbage");
const CORRUPT_REASON = "This file is damaged or is not a valid PDF/image";

async function newCourse(user: User): Promise<string> {
  const res = await call(coursesRoute.POST, {
    path: "/api/courses",
    method: "POST",
    token: user.accessToken,
    body: { name: "Physique-Chimie" },
  });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** Through the lib, so nothing starts the runner: the test drives the job itself. */
async function queued(user: User, courseId: string, bytes: Uint8Array, name = "cours.pdf") {
  return uploadMaterial(db(), {
    userId: user.id,
    courseId,
    file: { name, type: "application/pdf", bytes },
  });
}

function status(user: User | null, courseId: string) {
  return call(statusRoute.GET, {
    path: `/api/courses/${courseId}/materials/status`,
    token: user?.accessToken,
    params: { course_id: courseId },
  });
}

function retry(user: User | null, materialId: string) {
  return call(retryRoute.POST, {
    path: `/api/materials/${materialId}/retry`,
    method: "POST",
    token: user?.accessToken,
    params: { material_id: materialId },
  });
}

async function jobsOf(materialId: string) {
  return db().select().from(ingestionJobs).where(eq(ingestionJobs.materialId, materialId));
}

describe("GET /api/courses/{course_id}/materials/status", () => {
  it("reports page X of Y and the stage while the job runs, then the pages once completed", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    expect((await status(ada, courseId)).body).toStrictEqual([]);
    const material = await queued(ada, courseId, await textPdf(PAGES));

    const pending = await status(ada, courseId);
    expect(pending.status).toBe(200);
    expect(pending.body).toStrictEqual([
      {
        id: material.id,
        processing_status: "pending",
        stage: null,
        pages_done: 0,
        pages_total: null,
        error: null,
      },
    ]);

    // The runner's steps, one by one: claim, the pipeline reporting each page, completion.
    const job = await claimNextJob(db());
    expect(job?.materialId).toBe(material.id);
    if (!job) throw new Error("no job");
    expect((await status(ada, courseId)).body[0]).toStrictEqual({
      id: material.id,
      processing_status: "processing",
      stage: "starting",
      pages_done: 0,
      pages_total: null,
      error: null,
    });
    const seen: unknown[] = [];
    const timings = await ingestMaterial(db(), material.id, {
      onProgress: async (p) => {
        const ours = await heartbeat(db(), job, p);
        seen.push((await status(ada, courseId)).body[0]);
        return ours;
      },
    });
    const during = (stage: string, done: number) => ({
      id: material.id,
      processing_status: "processing",
      stage,
      pages_done: done,
      pages_total: 3,
      error: null,
    });
    expect(seen).toStrictEqual([
      during("extract", 1),
      during("extract", 2),
      during("extract", 3),
      during("embed", 3),
      during("store", 3),
    ]);
    expect(await completeJob(db(), job, timings)).toBe(true);
    expect((await status(ada, courseId)).body).toStrictEqual([
      {
        id: material.id,
        processing_status: "completed",
        stage: null,
        pages_done: 3,
        pages_total: 3,
        error: null,
      },
    ]);
  });

  it("newest first; another user's course is 404, no token 401, a bad id 400", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const first = await queued(ada, courseId, await textPdf(["Un."]), "a.pdf");
    const second = await queued(ada, courseId, await textPdf(["Deux."]), "b.pdf");
    const own = await status(ada, courseId);
    expect(own.body.map((p: { id: string }) => p.id)).toStrictEqual([second.id, first.id]);

    const other = await status(bob, courseId);
    expect(other.status).toBe(404);
    expect(other.body).toStrictEqual({ detail: "Course not found", code: "NOT_FOUND" });
    // Bob's own (empty) course shows nothing of Ada's.
    expect((await status(bob, await newCourse(bob))).body).toStrictEqual([]);

    const anonymous = await status(null, courseId);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("UNAUTHORIZED");

    const bad = await call(statusRoute.GET, {
      path: "/api/courses/nope/materials/status",
      token: ada.accessToken,
      params: { course_id: "nope" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toBe("course_id must be a UUID");
    await settleIngestion();
  });
});

describe("POST /api/materials/{material_id}/retry", () => {
  it("a corrupt PDF fails with its reason; retry runs the same job again through the pipeline", async () => {
    const ada = await createSignedInUser(db());
    const bob = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const material = await queued(ada, courseId, CORRUPT, "garbage.pdf");
    await settleIngestion();
    expect((await status(ada, courseId)).body).toStrictEqual([
      {
        id: material.id,
        processing_status: "failed",
        stage: null,
        pages_done: 0,
        pages_total: null,
        error: CORRUPT_REASON,
      },
    ]);
    const [failedJob] = await jobsOf(material.id);
    expect(failedJob).toMatchObject({ status: "failed", attempts: 1, lastError: CORRUPT_REASON });

    // Only its owner may retry it: another user gets the same 404 as for a missing material.
    const asBob = await retry(bob, material.id);
    expect(asBob.status).toBe(404);
    expect(asBob.body).toStrictEqual({ detail: "Material not found", code: "NOT_FOUND" });
    const anonymous = await retry(null, material.id);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe("UNAUTHORIZED");
    expect((await jobsOf(material.id))[0]?.status).toBe("failed");

    const res = await retry(ada, material.id);
    expect(res.status).toBe(202);
    expect(res.body).toStrictEqual({ status: "queued", material_id: material.id, job_id: failedJob?.id });
    await settleIngestion();
    // The job ran once more (fresh attempts, a new start) and the same bytes failed the same way.
    const [again] = await jobsOf(material.id);
    expect(again).toMatchObject({ id: failedJob?.id, status: "failed", attempts: 1 });
    expect(again?.startedAt?.getTime()).toBeGreaterThan(failedJob?.startedAt?.getTime() ?? 0);
    expect((await status(ada, courseId)).body[0]).toMatchObject({
      processing_status: "failed",
      error: CORRUPT_REASON,
    });

    // Between the retry and the run, the material is pending again, its old reason gone.
    await retryMaterial(db(), { userId: ada.id, materialId: material.id });
    expect((await status(ada, courseId)).body[0]).toStrictEqual({
      id: material.id,
      processing_status: "pending",
      stage: null,
      pages_done: 0,
      pages_total: null,
      error: null,
    });
    const twice = await retry(ada, material.id);
    expect(twice.status).toBe(409);
    expect(twice.body).toStrictEqual({
      detail: "Only failed materials can be retried; this one is pending",
      code: "CONFLICT",
    });
    await settleIngestion();
    expect((await status(ada, courseId)).body[0].processing_status).toBe("failed");
  });

  it("once the fault is gone, the retried material ends completed", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const bytes = await textPdf(PAGES);
    const material = await queued(ada, courseId, bytes);
    // The stored file vanishes before processing: a permanent failure with its reason.
    await getStorage().delete(material.storageKey);
    await settleIngestion();
    expect((await status(ada, courseId)).body[0]).toMatchObject({
      processing_status: "failed",
      error: "The uploaded file is missing from storage",
    });

    await getStorage().put(material.storageKey, bytes, "application/pdf");
    expect((await retry(ada, material.id)).status).toBe(202);
    await settleIngestion();
    expect((await status(ada, courseId)).body).toStrictEqual([
      {
        id: material.id,
        processing_status: "completed",
        stage: null,
        pages_done: 3,
        pages_total: 3,
        error: null,
      },
    ]);
  });

  it("a completed material cannot be retried (409); an unknown one is 404", async () => {
    const ada = await createSignedInUser(db());
    const courseId = await newCourse(ada);
    const material = await queued(ada, courseId, await textPdf(["Bonjour tout le monde."]));
    await settleIngestion();
    expect((await status(ada, courseId)).body[0].processing_status).toBe("completed");
    const res = await retry(ada, material.id);
    expect(res.status).toBe(409);
    expect(res.body).toStrictEqual({
      detail: "Only failed materials can be retried; this one is completed",
      code: "CONFLICT",
    });
    const unknown = await retry(ada, "00000000-0000-4000-8000-000000000000");
    expect(unknown.status).toBe(404);
    expect(unknown.body).toStrictEqual({ detail: "Material not found", code: "NOT_FOUND" });
  });
});

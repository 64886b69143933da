import { eq } from "drizzle-orm";
import { beforeAll } from "vitest";
import * as chatRoute from "@/app/api/chat/route";
import * as courseChatRoute from "@/app/api/courses/[course_id]/chat/route";
import * as materialsRoute from "@/app/api/courses/[course_id]/materials/route";
import * as coursesRoute from "@/app/api/courses/route";
import type { Db } from "@/db/client";
import { curriculumReferences, ingestionJobs, tokenReservations } from "@/db/schema";
import { uploadCurriculum } from "@/lib/curriculum/documents";
import { textPdf } from "../fixtures-gen/documents";
import { useEnv } from "./env";
import { call } from "./http";
import { settleIngestion } from "./ingest";
import { createSignedInUser } from "./users";

export type SignedInUser = Awaited<ReturnType<typeof createSignedInUser>>;

/** The scheduler's secret in the suites that build a world (cron routes are called with it). */
export const CRON_SECRET = "test-cron-secret-0123456789abcdef";

/**
 * For a test file: the cron secret set, the portal pointed at a closed local port (a sync reached
 * by mistake fails fast and never leaves the machine), and the world built before its tests:
 * the object returned is filled in then.
 */
export function useWorld(db: () => Db): World {
  useEnv({ CRON_SECRET, KOUTOUBI_BASE_URL: "http://127.0.0.1:9" });
  const world = {} as World;
  beforeAll(async () => {
    Object.assign(world, await buildWorld(db()));
  }, 120_000);
  return world;
}

let ipCounter = 0;
/** A fresh client address per request, so per-IP rate limits never decide a test's outcome. */
export const freshIp = () => {
  ipCounter += 1;
  return { "x-forwarded-for": `10.77.${Math.floor(ipCounter / 250) % 250}.${ipCounter % 250}` };
};

/**
 * Known users and one of each resource, made through the real routes where a student makes them:
 * `owner` has a course with a processed material, a conversation (a question and its answer),
 * a course chat and wallet reservations; `other` is a second student with nothing; the admin
 * side has a ready textbook (with its job), a portal reference and a `victim` user to act on.
 */
export async function buildWorld(db: Db) {
  const owner = await createSignedInUser(db, "student");
  const other = await createSignedInUser(db, "student");
  const teacher = await createSignedInUser(db, "teacher");
  const admin = await createSignedInUser(db, "admin");
  const victim = await createSignedInUser(db, "student");

  const course = await call(coursesRoute.POST, {
    path: "/api/courses",
    method: "POST",
    token: owner.accessToken,
    body: { name: "Physique", description: "Mécanique" },
  });
  if (course.status !== 201) throw new Error(`course: ${JSON.stringify(course.body)}`);
  const courseId = course.body.id as string;

  const pdf = await textPdf([["La force est une action mécanique exercée sur un corps."]]);
  const form = new FormData();
  form.append("file", new File([pdf as Uint8Array<ArrayBuffer>], "cours.pdf", { type: "application/pdf" }));
  const uploaded = await call(materialsRoute.POST, {
    path: `/api/courses/${courseId}/materials`,
    method: "POST",
    token: owner.accessToken,
    body: form,
    params: { course_id: courseId },
  });
  const material = uploaded.body as { id: string };
  if (uploaded.status !== 201) throw new Error(`material: ${JSON.stringify(material)}`);

  const textbook = await uploadCurriculum(db, {
    file: {
      name: "physique-7as.pdf",
      type: "application/pdf",
      bytes: await textPdf([["Chapitre 1 : la force et le mouvement."], ["Chapitre 2 : l'énergie."]]),
    },
    title: "Physique 7AS",
    grade: "7AS",
    subject: "Physique",
    language: "fr",
    namespace: "curriculum",
    pdfSource: null,
  });
  await settleIngestion();

  const asked = await call(chatRoute.POST, {
    path: "/api/chat",
    method: "POST",
    token: owner.accessToken,
    headers: freshIp(),
    body: { message: "Qu'est-ce qu'une force ?", stream: false },
  });
  if (asked.status !== 200) throw new Error(`chat: ${JSON.stringify(asked.body)}`);

  const courseChat = await call(courseChatRoute.POST, {
    path: `/api/courses/${courseId}/chat`,
    method: "POST",
    token: owner.accessToken,
    headers: freshIp(),
    params: { course_id: courseId },
    body: { message: "Résume le cours" },
  });
  if (courseChat.status !== 201) throw new Error(`course chat: ${JSON.stringify(courseChat.body)}`);

  const [reference] = await db
    .insert(curriculumReferences)
    .values({
      source: "koutoubi",
      title: "Mathématiques 7AS",
      // A closed local port: nothing leaves the machine if a test queues its download.
      pdfUrl: "http://127.0.0.1:9/maths-7as.pdf",
      language: "fr",
    })
    .returning();
  const [materialJob] = await db
    .select()
    .from(ingestionJobs)
    .where(eq(ingestionJobs.materialId, material.id));
  const reservations = await db
    .select({ id: tokenReservations.id })
    .from(tokenReservations)
    .where(eq(tokenReservations.userId, owner.id));
  if (!reference || !materialJob || reservations.length === 0) throw new Error("world incomplete");

  return {
    owner,
    other,
    teacher,
    admin,
    victim,
    /** A real value for each path parameter name of the registry. */
    ids: {
      course_id: courseId,
      material_id: material.id,
      conversation_id: asked.body.conversation_id as string,
      message_id: asked.body.message_id as string,
      user_id: victim.id,
      job_id: textbook.job.id,
      document_id: textbook.document.id,
      reference_id: reference.id,
      id: textbook.document.id,
      page: "1",
      source: "koutoubi",
    } as Record<string, string>,
    materialJobId: materialJob.id,
    reservationIds: reservations.map((r) => r.id),
  };
}

export type World = Awaited<ReturnType<typeof buildWorld>>;

import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunks, materials } from "@/db/schema";
import { createCourse } from "@/lib/courses";
import { uploadMaterial } from "@/lib/courses/materials";
import { hybridSearch } from "@/lib/retrieval";
import { foldForSearch } from "@/lib/text/fold";
import { normalizeText } from "@/lib/text/normalize";
import { useTempDataDir } from "./helpers/data-dir";
import { useTestDb } from "./helpers/db";
import { settleIngestion } from "./helpers/ingest";
import { createSignedInUser } from "./helpers/users";

// The real documents of ../shared/fixtures (French and Arabic, scans, a broken text layer),
// through the whole pipeline as a student's upload. They exist wherever CI runs; elsewhere
// this suite is skipped and says so.
const FIXTURES = path.resolve(import.meta.dirname, "../../shared/fixtures");
const present = existsSync(path.join(FIXTURES, "documents"));
if (!present) console.warn(`[ingest-fixtures] skipped: ${FIXTURES} not found`);

useTempDataDir("fixtures");
afterAll(async () => {
  const { shutdownExtraction } = await import("@/lib/ingest/extract");
  await shutdownExtraction();
});

const { db } = useTestDb();

interface Question {
  id: string;
  lang: string;
  question: string;
  doc: string | null;
  page: number | null;
  evidence: string | null;
}

/** The fixtures README's comparison rule: lam-alef, NFKC, no bidi marks, then our search folding. */
function comparable(s: string): string {
  return foldForSearch(normalizeText(s.replaceAll("لا", "ال")));
}

describe.skipIf(!present)("real documents end to end", () => {
  const ids = new Map<string, string>();
  let courseId = "";

  beforeAll(async () => {
    const user = await createSignedInUser(db());
    courseId = (await createCourse(db(), { userId: user.id, name: "Fixtures" })).id;
    const files = [
      ...readdirSync(path.join(FIXTURES, "documents")).map((f) => path.join("documents", f)),
      ...readdirSync(path.join(FIXTURES, "scans"))
        .filter((f) => f.endsWith("_scan.pdf") || f.endsWith("_scan.jpg"))
        .map((f) => path.join("scans", f)),
    ];
    for (const rel of files) {
      const bytes = new Uint8Array(readFileSync(path.join(FIXTURES, rel)));
      const type = rel.endsWith(".pdf") ? "application/pdf" : "image/jpeg";
      const m = await uploadMaterial(db(), {
        userId: user.id,
        courseId,
        file: { name: path.basename(rel), type, bytes },
      });
      ids.set(path.basename(rel).replace(/\.(pdf|jpg)$/, ""), m.id);
    }
    await settleIngestion();
  }, 16 * 60_000);

  it("processes every document to completed, with embeddings", async () => {
    const rows = await db().select().from(materials).where(eq(materials.courseId, courseId));
    expect(rows.length).toBe(ids.size);
    for (const m of rows) {
      expect({ name: m.name, status: m.processingStatus, error: m.errorMessage }).toStrictEqual({
        name: m.name,
        status: "completed",
        error: null,
      });
      expect(m.hasEmbedding).toBe(true);
    }
  });

  async function textOf(name: string): Promise<string> {
    const id = ids.get(name);
    if (!id) throw new Error(`no material ${name}`);
    const rows = await db().select({ content: chunks.content }).from(chunks).where(eq(chunks.materialId, id));
    return rows.map((r) => r.content).join("\n");
  }

  it.each([
    "fr_math_bac2023_metropole_sujet1_p2_scan",
    "fr_pc_radioactivite_cours_p4_scan",
    "ar_phys_travail_puissance_lecon2_p1_scan",
  ])("OCRs the photo %s: most words of the page come back", async (name) => {
    const truth = comparable(readFileSync(path.join(FIXTURES, "scans", `${name}.gt.txt`), "utf8"));
    const got = new Set(comparable(await textOf(name)).split(/[^\p{L}\p{N}]+/u));
    const words = [...new Set(truth.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length >= 4))];
    const recall = words.filter((w) => got.has(w)).length / words.length;
    console.info(`[ingest-fixtures] ${name}: word recall ${(recall * 100).toFixed(0)}% of ${words.length}`);
    expect(recall).toBeGreaterThan(name.startsWith("ar_") ? 0.4 : 0.6);
  });

  it("OCRs the scanned PDF without a text layer", async () => {
    const text = comparable(await textOf("fr_math_equadiff_scan"));
    expect(text).toMatch(/equation/);
    expect(text.length).toBeGreaterThan(500);
  });

  it("does not index the broken Arabic text layer as mojibake", async () => {
    const text = await textOf("ar_phys_travail_puissance_resume_badtext");
    const folded = comparable(text);
    expect(folded).toContain(comparable("شغل"));
    // The broken layer spells "شغل و قدرة" as "شغم و قدرج".
    expect(folded.split(comparable("شغم")).length - 1).toBeLessThan(2);
  });

  it("keeps pages: every chunk's pages are within its document", async () => {
    const rows = await db()
      .select({ pageStart: chunks.pageStart, pageEnd: chunks.pageEnd, pages: materials.pageCount })
      .from(chunks)
      .innerJoin(materials, eq(materials.id, chunks.materialId))
      .where(sql`${materials.courseId} = ${courseId}`);
    for (const r of rows) {
      expect(r.pageStart).toBeGreaterThanOrEqual(1);
      expect(r.pageEnd).toBeLessThanOrEqual(r.pages ?? 0);
    }
  });

  it("finds the right document and page for the students' questions", async () => {
    const questions = readFileSync(path.join(FIXTURES, "qa", "questions.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Question)
      .filter((q) => q.doc && ids.has(q.doc));
    let found = 0;
    const misses: string[] = [];
    for (const q of questions) {
      const hits = await hybridSearch(db(), {
        scope: sql`c.material_id in (select id from materials where course_id = ${courseId})`,
        query: q.question,
        limit: 3,
      });
      const docId = ids.get(q.doc as string);
      const ok = hits.some(
        (h) => h.materialId === docId && (q.page ?? 0) >= h.pageStart && (q.page ?? 0) <= h.pageEnd,
      );
      if (ok) found += 1;
      else misses.push(q.id);
    }
    const rate = found / questions.length;
    console.info(
      `[ingest-fixtures] top-3 page hit rate ${(rate * 100).toFixed(0)}% (${found}/${questions.length}); misses: ${misses.join(", ")}`,
    );
    expect(rate).toBeGreaterThanOrEqual(0.6);
  });
});

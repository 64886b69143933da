import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "@/db/client";
import { documents } from "@/db/schema";
import { getEmbedder } from "@/lib/ai/embeddings";
import { storeChunks } from "@/lib/ingest/pipeline";
import { hybridSearch, type SearchPlan, searchLibrary, VECTOR_POOL } from "@/lib/retrieval";
import { useTestDb } from "./helpers/db";

// The three ways a search reads its candidates (lib/retrieval SearchPlan) on one small library:
// whatever the plan, a filtered search returns only its scope's passages and finds the passage
// that answers; searchLibrary sizes a filtered search by the documents' passage counts, which
// storeChunks keeps.
const { db } = useTestDb();

const PHYSICS = [
  "La demi-vie d'un noyau radioactif est la durée au bout de laquelle la moitié des noyaux se sont désintégrés.",
  "L'activité d'un échantillon radioactif se mesure en becquerels : une désintégration par seconde.",
  "Le travail du poids ne dépend pas du chemin suivi mais de la différence d'altitude.",
  "La puissance d'une force est le travail qu'elle fournit par unité de temps, en watts.",
  "La constante radioactive lambda caractérise un noyau et ne dépend pas de la température.",
  "Un noyau fils excité revient à l'état fondamental en émettant un rayonnement gamma.",
];
const MATHS = [
  "Une suite géométrique de raison q a pour terme général u0 multiplié par q puissance n.",
  "La dérivée de la fonction logarithme népérien est la fonction inverse sur l'intervalle ouvert.",
  "Une variable aléatoire binomiale compte les succès de n épreuves de Bernoulli indépendantes.",
  "Le coefficient directeur d'une droite se lit comme le quotient de la variation des ordonnées.",
  "Une primitive d'une fonction continue sur un intervalle existe toujours.",
  "L'équation différentielle y' = ay a pour solutions les fonctions x donne C exp(ax).",
];

async function addDocument(title: string, subject: string, grade: string, texts: string[]): Promise<string> {
  const [doc] = await db()
    .insert(documents)
    .values({ title, subject, grade, language: "fr", status: "ready" })
    .returning();
  if (!doc) throw new Error("no document");
  const embedder = getEmbedder();
  const vectors = await embedder.embed(texts);
  await db().transaction((tx) =>
    storeChunks(
      tx,
      { documentId: doc.id },
      {
        model: embedder.model,
        chunks: texts.map((content, i) => ({
          index: i,
          content,
          pageStart: i + 1,
          pageEnd: i + 1,
          embedding: vectors[i] ?? [],
        })),
      },
    ),
  );
  return doc.id;
}

const ids: Record<string, string> = {};
const MATHS_COPIES = Math.ceil((VECTOR_POOL + 1) / MATHS.length);

beforeAll(async () => {
  // Maths dominates the library: more maths passages than the whole-library plan's vector pool
  // (VECTOR_POOL), so a maths question's nearest passages are all maths ones.
  ids.physics = await addDocument("Physique 7AS", "Physique", "7AS", PHYSICS);
  for (let copy = 0; copy < MATHS_COPIES; copy++) {
    ids[`maths${copy}`] = await addDocument(
      `Mathématiques ${copy}`,
      "Mathématiques",
      "7AS",
      MATHS.map((t) => `${t} (chapitre ${copy + 1})`),
    );
  }
});

describe("storeChunks keeps a document's passage count", () => {
  it("counts the stored passages and the replacing set on a re-ingestion", async () => {
    const id = await addDocument("Brouillon", "Chimie", "6AS", PHYSICS.slice(0, 4));
    const count = async () =>
      (await db().select({ n: documents.chunkCount }).from(documents).where(eq(documents.id, id)))[0]?.n;
    expect(await count()).toBe(4);
    const embedder = getEmbedder();
    const [v] = await embedder.embed(["une seule page"]);
    await db().transaction((tx) =>
      storeChunks(
        tx,
        { documentId: id },
        {
          model: embedder.model,
          chunks: [{ index: 0, content: "une seule page", pageStart: 1, pageEnd: 1, embedding: v ?? [] }],
        },
      ),
    );
    expect(await count()).toBe(1);
    await db().delete(documents).where(eq(documents.id, id));
  });
});

describe("search plans", () => {
  const question = "Quelle est la demi-vie d'un noyau radioactif ?";
  const physicsOnly = () => sql`c.document_id = any(${`{${ids.physics}}`}::uuid[])`;

  it.each<SearchPlan>(["exact", "index", "filtered-index"])(
    "%s: a filtered search returns only its scope and finds the answer first",
    async (plan) => {
      const hits = await hybridSearch(db(), { scope: physicsOnly(), query: question, limit: 5, plan });
      expect(hits.length).toBeGreaterThan(0);
      for (const h of hits) expect(h.documentId).toBe(ids.physics);
      expect(hits[0]?.content).toBe(PHYSICS[0]);
    },
  );

  it("filtered-index finds its scope's passages even when every nearest passage is outside it", async () => {
    // A maths question filtered to physics: all its nearest passages are maths ones.
    const maths = "Quel est le terme général d'une suite géométrique de raison q ?";
    const hits = await hybridSearch(db(), {
      scope: physicsOnly(),
      query: maths,
      limit: 5,
      plan: "filtered-index",
    });
    expect(hits.length).toBe(5);
    for (const h of hits) expect(h.documentId).toBe(ids.physics);
    // What the plan is for: the whole-library plan's pool holds no physics passage to keep.
    const unfiltered = await hybridSearch(db(), {
      scope: physicsOnly(),
      query: maths,
      limit: 5,
      plan: "index",
    });
    expect(unfiltered.length).toBeLessThan(hits.length);
  });

  it("searchLibrary with a subject filter quotes that subject only", async () => {
    const got = await searchLibrary(db(), { query: question, subject: "physique", limit: 5 });
    expect(got[0]).toMatchObject({ documentId: ids.physics, page: 1, title: "Physique 7AS" });
    for (const p of got) expect(p.documentId).toBe(ids.physics);
    expect(await searchLibrary(db(), { query: question, subject: "Chimie", limit: 5 })).toEqual([]);
    const counts = rowsOf<{ n: number }>(
      await db().execute(
        sql`select sum(chunk_count)::int as n from documents where subject = 'Mathématiques'`,
      ),
    );
    expect(counts[0]?.n).toBe(MATHS_COPIES * MATHS.length);
  });
});

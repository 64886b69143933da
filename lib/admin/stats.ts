import { sql } from "drizzle-orm";
import { type DbOrTx, rowsOf } from "@/db/client";
import { DOCUMENT_STATUSES, JOB_STATUSES, REFERENCE_STATUSES, ROLES } from "@/db/schema";

type Counts<K extends string> = Record<K, number> & { total: number };

export interface AdminStats {
  documents: Counts<(typeof DOCUMENT_STATUSES)[number]>;
  chunks: { total: number; documents: number; materials: number };
  references: Counts<(typeof REFERENCE_STATUSES)[number]>;
  users: Counts<(typeof ROLES)[number]>;
  jobs: Counts<(typeof JOB_STATUSES)[number]>;
  courses: number;
  materials: number;
}

/** Every key present (0 when no row has it), plus the total. */
function tally<K extends string>(keys: readonly K[], rows: { k: string; n: number }[]): Counts<K> {
  const out = { total: 0 } as Counts<K>;
  for (const k of keys) (out as Record<string, number>)[k] = 0;
  for (const { k, n } of rows) {
    (out as Record<string, number>)[k] = Number(n);
    out.total += Number(n);
  }
  return out;
}

/** The admin dashboard's figures, each a grouped count (one round trip per table). */
export async function getAdminStats(db: DbOrTx): Promise<AdminStats> {
  const grouped = async (table: string, column: string) =>
    rowsOf<{ k: string; n: number }>(
      await db.execute(
        sql`select ${sql.raw(column)}::text as k, count(*)::int as n from ${sql.raw(table)} group by 1`,
      ),
    );
  const [documents, references, users, jobs, chunkRows, other] = await Promise.all([
    grouped("documents", "status"),
    grouped("curriculum_references", "status"),
    grouped("profiles", "role"),
    grouped("ingestion_jobs", "status"),
    db.execute(sql`select count(*)::int as total, count(document_id)::int as documents,
      count(material_id)::int as materials from chunks`),
    db.execute(sql`select (select count(*)::int from courses) as courses,
      (select count(*)::int from materials) as materials`),
  ]);
  const c = rowsOf<{ total: number; documents: number; materials: number }>(chunkRows)[0];
  const o = rowsOf<{ courses: number; materials: number }>(other)[0];
  return {
    documents: tally(DOCUMENT_STATUSES, documents),
    chunks: {
      total: Number(c?.total ?? 0),
      documents: Number(c?.documents ?? 0),
      materials: Number(c?.materials ?? 0),
    },
    references: tally(REFERENCE_STATUSES, references),
    users: tally(ROLES, users),
    jobs: tally(JOB_STATUSES, jobs),
    courses: Number(o?.courses ?? 0),
    materials: Number(o?.materials ?? 0),
  };
}

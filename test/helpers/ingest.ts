import { getDb } from "@/db/client";
import { countRunnableJobs } from "@/lib/ingest/jobs";
import { kickIngestion } from "@/lib/ingest/runner";

/**
 * Waits until the in-process runner (started by uploads, as in the embedded setup) has nothing
 * left to do now. Jobs waiting for a retry backoff are not waited for.
 */
export async function settleIngestion(): Promise<void> {
  for (let round = 0; round < 20; round++) {
    await kickIngestion();
    const db = await getDb();
    if ((await countRunnableJobs(db, { dueOnly: true })) === 0) return;
  }
  throw new Error("ingestion did not settle");
}

import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { ingestionJobs, materials } from "@/db/schema";
import { claimNextJob, completeJob, failJob, heartbeat, retryDelaySeconds } from "@/lib/ingest/jobs";
import { queuedMaterial } from "./helpers/courses";
import { useTestDb } from "./helpers/db";

const { db } = useTestDb();

async function materialStatus(id: string) {
  const [m] = await db().select().from(materials).where(eq(materials.id, id));
  return m;
}

function must<T>(v: T | null | undefined): T {
  if (v === null || v === undefined) throw new Error("expected a value");
  return v;
}

/** Drains jobs other tests left behind so each test starts with only its own. */
async function clearQueue() {
  await db().update(ingestionJobs).set({ status: "succeeded" }).where(sql`status <> 'succeeded'`);
}

describe("ingestion queue", () => {
  it("claims the oldest job once; a second worker gets nothing", async () => {
    await clearQueue();
    const a = await queuedMaterial(db());
    const b = await queuedMaterial(db());
    const first = await claimNextJob(db(), { workerId: "w1" });
    expect(first?.id).toBe(a.job.id);
    expect(first).toMatchObject({ status: "running", attempts: 1, lockedBy: "w1" });
    expect((await materialStatus(a.material.id))?.processingStatus).toBe("processing");
    const second = await claimNextJob(db(), { workerId: "w2" });
    expect(second?.id).toBe(b.job.id);
    expect(await claimNextJob(db(), { workerId: "w3" })).toBeNull();
  });

  it("concurrent claims never hand out the same job", async () => {
    await clearQueue();
    for (let i = 0; i < 4; i++) await queuedMaterial(db());
    const claims = await Promise.all(
      Array.from({ length: 6 }, (_, i) => claimNextJob(db(), { workerId: `c${i}` })),
    );
    const ids = claims.filter((c) => c !== null).map((c) => c?.id);
    expect(ids).toHaveLength(4);
    expect(new Set(ids).size).toBe(4);
  });

  it("a crashed worker's job is claimed again after its lease expires, not before", async () => {
    await clearQueue();
    const { job, material } = await queuedMaterial(db());
    const claimed = await claimNextJob(db(), { workerId: "dies", leaseSeconds: 1 });
    expect(claimed?.id).toBe(job.id);
    expect(await claimNextJob(db(), { workerId: "other" })).toBeNull();
    await new Promise((r) => setTimeout(r, 1200));
    const again = await claimNextJob(db(), { workerId: "other" });
    expect(again).toMatchObject({ id: job.id, attempts: 2, lockedBy: "other" });
    // The old worker wakes up: its heartbeat and completion are refused.
    expect(await heartbeat(db(), { id: job.id, workerId: "dies" })).toBe(false);
    expect(await completeJob(db(), { id: job.id, workerId: "dies" }, {})).toBe(false);
    expect(await completeJob(db(), { id: job.id, workerId: "other" }, { extract: 5 })).toBe(true);
    const [row] = await db().select().from(ingestionJobs).where(eq(ingestionJobs.id, job.id));
    expect(row).toMatchObject({ status: "succeeded", timings: { extract: 5 } });
    expect((await materialStatus(material.id))?.processingStatus).toBe("processing");
  });

  it("retries transient failures with backoff, then fails with the message on the material", async () => {
    await clearQueue();
    const { job, material } = await queuedMaterial(db());
    let claimed = await claimNextJob(db(), { workerId: "w" });
    expect(
      await failJob(db(), { ...must(claimed), workerId: "w" }, { message: "timeout", permanent: false }),
    ).toBe("retry");
    const [waiting] = await db().select().from(ingestionJobs).where(eq(ingestionJobs.id, job.id));
    expect(waiting?.status).toBe("queued");
    expect(must(waiting).runAfter.getTime()).toBeGreaterThan(Date.now() + 3000);
    expect((await materialStatus(material.id))?.processingStatus).toBe("pending");
    // Not due yet.
    expect(await claimNextJob(db(), { workerId: "w" })).toBeNull();
    for (const attempt of [2, 3]) {
      await db().update(ingestionJobs).set({ runAfter: sql`now()` }).where(eq(ingestionJobs.id, job.id));
      claimed = await claimNextJob(db(), { workerId: "w" });
      expect(claimed?.attempts).toBe(attempt);
      const outcome = await failJob(
        db(),
        { ...must(claimed), workerId: "w" },
        { message: "timeout", permanent: false },
      );
      expect(outcome).toBe(attempt < 3 ? "retry" : "failed");
    }
    const m = await materialStatus(material.id);
    expect(m).toMatchObject({ processingStatus: "failed", errorMessage: "timeout", hasEmbedding: false });
  });

  it("a permanent failure is not retried", async () => {
    await clearQueue();
    const { material } = await queuedMaterial(db());
    const claimed = await claimNextJob(db(), { workerId: "w" });
    const outcome = await failJob(
      db(),
      { ...must(claimed), workerId: "w" },
      { message: "encrypted", permanent: true },
    );
    expect(outcome).toBe("failed");
    expect(await claimNextJob(db(), { workerId: "w" })).toBeNull();
    expect((await materialStatus(material.id))?.errorMessage).toBe("encrypted");
  });

  it("a job abandoned on its last attempt is failed, not claimed forever", async () => {
    await clearQueue();
    const { job, material } = await queuedMaterial(db());
    await db().update(ingestionJobs).set({ maxAttempts: 1 }).where(eq(ingestionJobs.id, job.id));
    await claimNextJob(db(), { workerId: "dies", leaseSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1200));
    expect(await claimNextJob(db(), { workerId: "other" })).toBeNull();
    expect((await materialStatus(material.id))?.processingStatus).toBe("failed");
  });

  it("backs off 5 s, 20 s, 80 s… up to 10 minutes", () => {
    expect([1, 2, 3, 4, 9].map(retryDelaySeconds)).toStrictEqual([5, 20, 80, 320, 600]);
  });
});

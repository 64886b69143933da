// `npm run db:migrate`: applies migrations, then creates the first admin from ADMIN_EMAIL /
// ADMIN_PASSWORD when they are set. Runs before `next start`, in its own process, and closes
// the database before the server opens it (PGlite has one owner at a time).
import { ensureAdmin } from "@/lib/auth";
import { env } from "@/lib/config/env";
import { getDbHandle } from "./client";
import { migrateDb } from "./migrate";

async function main() {
  const e = env();
  const started = Date.now();
  const handle = await getDbHandle();
  try {
    await migrateDb(handle);
    console.info(`[db] migrations applied (${handle.driver}) in ${Date.now() - started} ms`);
    if (e.ADMIN_EMAIL && e.ADMIN_PASSWORD) {
      const { created, profile } = await ensureAdmin(handle.db, {
        email: e.ADMIN_EMAIL,
        password: e.ADMIN_PASSWORD,
      });
      console.info(`[db] admin ${profile.email} ${created ? "created" : "present"}`);
    }
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

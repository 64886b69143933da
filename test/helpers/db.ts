import { afterAll, beforeAll } from "vitest";
import { type DbHandle, openPglite, setDbHandle } from "@/db/client";
import { migrateDb } from "@/db/migrate";
import { resetAuthBackend } from "@/lib/auth";
import { resetEmbeddedAuthCache } from "@/lib/auth/embedded";
import { resetEnvCache } from "@/lib/config/env";

/** A fresh, migrated in-memory PGlite for this test file, installed as the process-wide db. */
export function useTestDb(): { db: () => DbHandle["db"]; handle: () => DbHandle } {
  let handle: DbHandle | undefined;
  beforeAll(async () => {
    resetEnvCache();
    resetAuthBackend();
    resetEmbeddedAuthCache();
    handle = await openPglite();
    await migrateDb(handle);
    setDbHandle(handle);
  });
  afterAll(async () => {
    setDbHandle(undefined);
    await handle?.close();
  });
  const get = () => {
    if (!handle) throw new Error("test db not open yet (use it inside a test or hook)");
    return handle;
  };
  return { db: () => get().db, handle: get };
}

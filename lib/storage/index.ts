import path from "node:path";
import { env } from "@/lib/config/env";
import { createLocalStorage } from "./local";
import { createSupabaseStorage } from "./supabase";
import type { ObjectStorage } from "./types";

export type { ObjectStorage } from "./types";

/** Everything storage reads from the environment, in one place. */
function storageConfig() {
  const e = env();
  return {
    dataDir: e.DATA_DIR,
    supabaseUrl: e.SUPABASE_URL,
    serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY,
    bucket: e.SUPABASE_STORAGE_BUCKET,
  };
}

let cached: ObjectStorage | undefined;

/**
 * The configured storage: a Supabase Storage bucket when SUPABASE_URL and the service-role key are
 * set, else files under `${DATA_DIR}/storage`. Created once per process.
 */
export function getStorage(): ObjectStorage {
  if (!cached) {
    const { dataDir, supabaseUrl, serviceRoleKey, bucket } = storageConfig();
    cached =
      supabaseUrl && serviceRoleKey
        ? createSupabaseStorage({ url: supabaseUrl, serviceRoleKey, bucket })
        : createLocalStorage(path.join(dataDir, "storage"));
  }
  return cached;
}

/** Tests change DATA_DIR or SUPABASE_* between suites; the next getStorage() re-reads them. */
export function resetStorage(): void {
  cached = undefined;
}

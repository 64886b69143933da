import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { resetEnvCache } from "@/lib/config/env";
import { resetStorage } from "@/lib/storage";

/** A fresh DATA_DIR (uploaded files) for this test file, removed afterwards. */
export function useTempDataDir(prefix: string): void {
  const saved = process.env.DATA_DIR;
  let dir: string | undefined;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `bacmr-${prefix}-`));
    process.env.DATA_DIR = dir;
    resetEnvCache();
    resetStorage();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    process.env.DATA_DIR = saved;
    resetEnvCache();
    resetStorage();
  });
}

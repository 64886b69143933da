import path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    setupFiles: ["test/setup.ts"],
    testTimeout: 30_000,
    // Opening an in-memory PGlite with pgvector takes ~3 s.
    hookTimeout: 60_000,
    pool: "forks",
  },
});

import path from "node:path";
import { defineConfig } from "vitest/config";

// The fault suite (load/faults.test.ts): production servers as child processes, so it runs after
// a build (npm test runs it after Playwright, whose build it reuses), not with the unit tests.
export default defineConfig({
  resolve: { alias: { "@": path.resolve(import.meta.dirname) } },
  test: {
    include: ["load/**/*.test.ts"],
    environment: "node",
    testTimeout: 240_000,
    hookTimeout: 600_000,
    pool: "forks",
    fileParallelism: false,
  },
});

import { afterAll, beforeAll } from "vitest";
import { resetEnvCache } from "@/lib/config/env";

/** Settings for this test file: set before its tests (in beforeAll), restored afterwards. */
export function useEnv(vars: Record<string, string>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  beforeAll(() => {
    Object.assign(process.env, vars);
    resetEnvCache();
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetEnvCache();
  });
}

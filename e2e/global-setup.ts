import { rmSync } from "node:fs";
import path from "node:path";
import { request } from "@playwright/test";
import { ADMIN_API_KEY, BASE_URL, type Credentials, USERS } from "./constants";

interface Listed {
  users: { id: string; email: string }[];
  total: number;
}

/**
 * Creates the known users (student, teacher, second admin) through the admin API. Against a
 * reused server that already has them, puts their password and role back to the known values.
 */
export default async function globalSetup(): Promise<() => void> {
  const api = await request.newContext({
    baseURL: BASE_URL,
    extraHTTPHeaders: { "X-Admin-Key": ADMIN_API_KEY },
  });
  try {
    const health = await api.get("/api/health");
    if (!health.ok()) throw new Error(`server not healthy: ${health.status()} ${await health.text()}`);
    for (const user of Object.values(USERS) as Credentials[]) await ensureUser(api, user);
  } finally {
    await api.dispose();
  }
  return removeDataDirs;
}

/** The teardown: the servers' temporary databases (~40 MB each) go with the run. */
function removeDataDirs(): void {
  for (const dir of [
    process.env.BACMR_E2E_DATA_DIR,
    process.env.BACMR_E2E_ISOLATED_DATA_DIR,
    process.env.BACMR_E2E_DIRECT_DATA_DIR,
    process.env.BACMR_E2E_JOURNEY_DATA_DIR,
  ]) {
    if (dir && path.basename(dir).startsWith("bacmr-e2e-")) rmSync(dir, { recursive: true, force: true });
  }
}

async function ensureUser(api: Awaited<ReturnType<typeof request.newContext>>, user: Credentials) {
  const res = await api.post("/api/admin/users", {
    data: { email: user.email, password: user.password, full_name: user.fullName, role: user.role },
  });
  if (res.status() === 201) return;
  if (res.status() !== 409) throw new Error(`creating ${user.email}: ${res.status()} ${await res.text()}`);

  const list = (await (await api.get("/api/admin/users?limit=200")).json()) as Listed;
  const existing = list.users.find((u) => u.email === user.email);
  if (!existing) throw new Error(`${user.email} exists but is not in the first 200 users`);
  for (const r of [
    await api.post(`/api/admin/users/${existing.id}/reset-password`, {
      data: { new_password: user.password },
    }),
    await api.patch(`/api/admin/users/${existing.id}/role`, { data: { role: user.role } }),
    await api.patch(`/api/admin/users/${existing.id}/hint-level?hint_level=3`),
  ]) {
    if (!r.ok()) throw new Error(`resetting ${user.email}: ${r.status()} ${await r.text()}`);
  }
}

// `npm run admin:create -- <email> [full name]`: creates an admin (or promotes an existing user).
// The password is read from ADMIN_PASSWORD or asked on the terminal; it never appears in argv.
import { createInterface } from "node:readline/promises";
import { getDbHandle } from "@/db/client";
import { migrateDb } from "@/db/migrate";
import { newPasswordField } from "@/lib/api/schemas";
import { ensureAdmin } from "@/lib/auth";

async function readPassword(): Promise<string> {
  if (process.env.ADMIN_PASSWORD) return process.env.ADMIN_PASSWORD;
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const password = await rl.question("Password for the new admin (8+ characters): ");
  rl.close();
  return password;
}

async function main() {
  const [email, ...nameParts] = process.argv.slice(2);
  if (!email) {
    console.error(
      "usage: npm run admin:create -- <email> [full name]   (password: ADMIN_PASSWORD or prompt)",
    );
    process.exit(2);
  }
  const password = await readPassword();
  const check = newPasswordField.safeParse(password);
  if (!check.success) {
    console.error(check.error.issues[0]?.message ?? "invalid password");
    process.exit(2);
  }
  const handle = await getDbHandle();
  try {
    await migrateDb(handle);
    const { created, profile } = await ensureAdmin(handle.db, {
      email,
      password,
      fullName: nameParts.join(" ") || "Administrator",
    });
    console.info(
      created ? `admin ${profile.email} created` : `${profile.email} is now an admin (password unchanged)`,
    );
  } finally {
    await handle.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

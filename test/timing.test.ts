import { describe, expect, it } from "vitest";
import * as signinRoute from "@/app/api/auth/signin/route";
import * as signupRoute from "@/app/api/auth/signup/route";
import { useTestDb } from "./helpers/db";
import { call } from "./helpers/http";
import { uniqueEmail } from "./helpers/users";

useTestDb();

async function median(f: () => Promise<unknown>, n = 7): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await f();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(n / 2)] ?? 0;
}

// Not a speed target: a structural check that an unknown email also pays for a password
// hash verification. Without it the unknown-email path is >10x faster; the bounds are wide.
describe("sign-in timing", () => {
  it("an unknown email costs about as much as a wrong password", async () => {
    const email = uniqueEmail();
    await call(signupRoute.POST, {
      path: "/api/auth/signup",
      method: "POST",
      body: { email, password: "password-123" },
    });
    const attempt = (e: string) => () =>
      call(signinRoute.POST, {
        path: "/api/auth/signin",
        method: "POST",
        body: { email: e, password: "nope-nope" },
      });
    await attempt(email)(); // warm-up
    const wrong = await median(attempt(email));
    const unknown = await median(attempt(uniqueEmail("ghost")));
    expect(unknown / wrong).toBeGreaterThan(0.4);
    expect(unknown / wrong).toBeLessThan(2.5);
  });
});

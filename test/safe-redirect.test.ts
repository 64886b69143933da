import { describe, expect, it } from "vitest";
import { safeNextPath } from "@/lib/http/safe-redirect";

describe("safeNextPath", () => {
  it.each([
    ["/profile", "/profile"],
    ["/admin/users?offset=50", "/admin/users?offset=50"],
    ["/docs#auth", "/docs#auth"],
    ["/a/../b", "/b"],
    // Percent-encoded, a newline is only a path segment on this site.
    ["/%0a/evil.example", "/%0a/evil.example"],
  ])("keeps %s", (input, expected) => expect(safeNextPath(input)).toBe(expected));

  it.each([
    null,
    "",
    "profile",
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\\/evil.example",
    " //evil.example",
    "javascript:alert(1)",
  ])("refuses %j", (input) => {
    const out = safeNextPath(input);
    expect(out).toBe("/profile");
  });
});

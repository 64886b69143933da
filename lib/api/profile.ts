import { z } from "zod";
import { ROLES } from "@/db/schema";
import { isLocale, LOCALES } from "@/lib/i18n/config";
import type { Profile } from "@/lib/profiles";
import { defineEndpoint } from "./define";
import { fullNameField } from "./schemas";

export const ProfileResponse = z
  .object({
    id: z.uuid(),
    email: z.string(),
    full_name: z.string(),
    role: z.enum(ROLES),
    hint_level: z.number().int().min(1).max(5),
    /** The interface language the user chose; null: the browser's language decides. */
    preferred_language: z.enum(LOCALES).nullable(),
    created_at: z.string(),
  })
  .meta({ id: "Profile" });

export function toProfileResponse(p: Profile): z.input<typeof ProfileResponse> {
  return {
    id: p.id,
    email: p.email,
    full_name: p.fullName,
    role: p.role,
    hint_level: p.hintLevel,
    preferred_language: isLocale(p.preferredLanguage) ? p.preferredLanguage : null,
    created_at: p.createdAt.toISOString(),
  };
}

export const getMe = defineEndpoint({
  method: "GET",
  path: "/api/me",
  tag: "Profile",
  summary: "Get the current user's profile",
  auth: "user",
  response: ProfileResponse,
});

export const patchMe = defineEndpoint({
  method: "PATCH",
  path: "/api/me",
  tag: "Profile",
  summary: "Update the current user's profile",
  description:
    "`full_name` and the interface language (`preferred_language`: fr, ar, en, or null to follow the browser) can be changed here; role and hint level are set by an admin.",
  auth: "user",
  body: z.strictObject({
    full_name: fullNameField.min(1, "full_name cannot be empty").optional(),
    preferred_language: z.enum(LOCALES).nullable().optional(),
  }),
  response: ProfileResponse,
});

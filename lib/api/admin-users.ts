import { z } from "zod";
import { ROLES } from "@/db/schema";
import { defineEndpoint } from "./define";
import { ProfileResponse } from "./profile";
import { emailField, fullNameField, newPasswordField, pagination, uuidParam } from "./schemas";

const userIdParam = uuidParam("user_id");
const ProfileEnvelope = z.object({ success: z.literal(true), data: ProfileResponse });
const roleField = z.enum(ROLES, `role must be one of: ${ROLES.join(", ")}`);

export const testRole = defineEndpoint({
  method: "GET",
  path: "/api/admin/test-role",
  tag: "Admin",
  summary: "Verify admin privileges",
  auth: "admin",
  response: z.object({
    status: z.literal("ok"),
    message: z.string(),
    via: z.enum(["jwt", "admin_key"]),
    user_id: z.uuid().nullable(),
  }),
});

export const listUsers = defineEndpoint({
  method: "GET",
  path: "/api/admin/users",
  tag: "Admin",
  summary: "List users from the profiles table (paginated, oldest first)",
  auth: "admin",
  query: z.object(pagination),
  response: z.object({
    users: z.array(ProfileResponse),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  }),
});

export const createUser = defineEndpoint({
  method: "POST",
  path: "/api/admin/users",
  tag: "Admin",
  summary: "Create a user (any role)",
  auth: "admin",
  body: z.object({
    email: emailField,
    password: newPasswordField,
    full_name: fullNameField.default(""),
    role: roleField.default("student"),
  }),
  status: 201,
  response: ProfileEnvelope,
  errors: [409],
});

export const deleteUser = defineEndpoint({
  method: "DELETE",
  path: "/api/admin/users/{user_id}",
  tag: "Admin",
  summary: "Delete a user's account and profile",
  description: "The last admin cannot be deleted (409).",
  auth: "admin",
  params: userIdParam,
  response: z.object({ success: z.literal(true), message: z.string(), user_id: z.uuid() }),
  errors: [404, 409],
});

export const updateRole = defineEndpoint({
  method: "PATCH",
  path: "/api/admin/users/{user_id}/role",
  tag: "Admin",
  summary: "Update a user's role",
  description: "The last admin cannot be demoted (409).",
  auth: "admin",
  params: userIdParam,
  body: z.object({ role: roleField }),
  response: ProfileEnvelope,
  errors: [404, 409],
});

export const updateHintLevel = defineEndpoint({
  method: "PATCH",
  path: "/api/admin/users/{user_id}/hint-level",
  tag: "Admin",
  summary: "Update a user's pedagogical hint level (1 = worked answers … 5 = Socratic hints only)",
  auth: "admin",
  params: userIdParam,
  query: z.object({
    hint_level: z.coerce
      .number("hint_level must be an integer from 1 to 5")
      .int("hint_level must be an integer from 1 to 5")
      .min(1, "hint_level must be an integer from 1 to 5")
      .max(5, "hint_level must be an integer from 1 to 5"),
  }),
  response: ProfileEnvelope,
  errors: [404],
});

export const adminResetPassword = defineEndpoint({
  method: "POST",
  path: "/api/admin/users/{user_id}/reset-password",
  tag: "Admin",
  summary: "Set a user's password (ends their sessions)",
  auth: "admin",
  params: userIdParam,
  body: z.object({ new_password: newPasswordField }),
  response: z.object({ success: z.literal(true), message: z.string() }),
  errors: [404],
});

export const listMailOutbox = defineEndpoint({
  method: "GET",
  path: "/api/admin/mail-outbox",
  tag: "Admin",
  summary: "Mails the app sent (reset links…), newest first, for support",
  auth: "admin",
  query: z.object({ to: z.string().trim().toLowerCase().optional(), ...pagination }),
  response: z.object({
    messages: z.array(
      z.object({
        id: z.uuid(),
        to: z.string(),
        subject: z.string(),
        body: z.string(),
        created_at: z.string(),
        sent_at: z.string().nullable(),
        error: z.string().nullable(),
      }),
    ),
    total: z.number().int(),
  }),
});

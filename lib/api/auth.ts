import { z } from "zod";
import { defineEndpoint } from "./define";
import { ProfileResponse } from "./profile";
import { emailField, fullNameField, newPasswordField } from "./schemas";

export const SessionData = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal("bearer"),
    expires_in: z.number().int(),
    expires_at: z.number().int(),
    user: ProfileResponse,
  })
  .meta({ id: "Session" });

const SessionResponse = z.object({ success: z.literal(true), data: SessionData });
const SuccessResponse = z.object({ success: z.literal(true), message: z.string() });

export const signup = defineEndpoint({
  method: "POST",
  path: "/api/auth/signup",
  tag: "Auth",
  summary: "Register a new user (role student)",
  auth: "none",
  body: z.object({
    email: emailField,
    password: newPasswordField,
    full_name: fullNameField.default(""),
  }),
  status: 201,
  response: z.object({
    success: z.literal(true),
    data: z.object({ user_id: z.uuid(), email: z.string() }),
  }),
  errors: [409, 429],
});

export const signin = defineEndpoint({
  method: "POST",
  path: "/api/auth/signin",
  tag: "Auth",
  summary: "Sign in and receive JWT tokens",
  description: "Also sets httpOnly cookies used by the web pages.",
  auth: "none",
  body: z.object({ email: emailField, password: z.string().min(1, "Password is required").max(1024) }),
  response: SessionResponse,
  errors: [401, 429],
});

export const refresh = defineEndpoint({
  method: "POST",
  path: "/api/auth/refresh",
  tag: "Auth",
  summary: "Exchange a refresh token for new tokens (rotation)",
  description:
    "The presented refresh token stops working. Presenting it again ends the session. " +
    "Without a body, the refresh cookie is used.",
  auth: "none",
  body: z.object({ refresh_token: z.string().min(1).max(512).optional() }).optional(),
  response: SessionResponse,
  errors: [401],
});

export const logout = defineEndpoint({
  method: "POST",
  path: "/api/auth/logout",
  tag: "Auth",
  summary: "End the session",
  description:
    "Revokes the refresh token (body or cookie) and the session of the bearer token, and clears cookies. " +
    "Always succeeds.",
  auth: "none",
  body: z.object({ refresh_token: z.string().max(512).optional() }).optional(),
  response: SuccessResponse,
});

export const resetPassword = defineEndpoint({
  method: "POST",
  path: "/api/auth/reset-password",
  tag: "Auth",
  summary: "Send a password-reset link",
  description: "Answers the same whether or not the account exists.",
  auth: "none",
  body: z.object({ email: emailField }),
  response: SuccessResponse,
  errors: [429],
});

export const resetPasswordConfirm = defineEndpoint({
  method: "POST",
  path: "/api/auth/reset-password/confirm",
  tag: "Auth",
  summary: "Choose a new password with the token from the reset link",
  description: "The token works once and expires; every session of the user ends.",
  auth: "none",
  body: z.object({ token: z.string().min(1, "token is required").max(512), new_password: newPasswordField }),
  response: SuccessResponse,
  // An unknown, used or expired token: 401 INVALID_TOKEN.
  errors: [401],
});

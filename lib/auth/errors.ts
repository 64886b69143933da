import { ApiError } from "@/lib/http/errors";

/** The refusals every auth backend answers with, worded once. */
export const invalidCredentials = () => new ApiError("INVALID_CREDENTIALS", "Invalid email or password");
export const invalidRefresh = () => new ApiError("INVALID_TOKEN", "Invalid or expired refresh token");
export const invalidReset = () => new ApiError("INVALID_TOKEN", "Invalid or expired reset token");
export const emailTaken = () => new ApiError("EMAIL_TAKEN", "A user with this email already exists");
export const userNotFound = () => new ApiError("NOT_FOUND", "User not found");

import { z } from "zod";

/** Shared building blocks of request and response schemas. */

export const ErrorResponse = z
  .object({
    detail: z.string().meta({ description: "What went wrong, for a human" }),
    code: z.string().meta({ description: "Machine-readable error code" }),
  })
  .meta({ id: "Error" });

export const uuidParam = <K extends string>(name: K) =>
  z.object({ [name]: z.uuid(`${name} must be a UUID`) } as Record<K, z.ZodUUID>);

export const pagination = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000_000).default(0),
};

export const emailField = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("Invalid email address"))
  .transform((e) => e.toLowerCase());

/** Passwords: 8–72 bytes (72 is also bcrypt's limit, kept so backends can be swapped). */
export const newPasswordField = z
  .string()
  .min(8, "Password must be at least 8 characters")
  .refine((p) => Buffer.byteLength(p, "utf8") <= 72, "Password must be at most 72 bytes");

export const fullNameField = z.string().trim().max(200);

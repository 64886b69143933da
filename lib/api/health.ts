import { z } from "zod";
import { defineEndpoint } from "./define";

export const getHealth = defineEndpoint({
  method: "GET",
  path: "/api/health",
  tag: "General",
  summary: "Verify the backend is online",
  auth: "none",
  response: z.object({
    status: z.literal("BacMR Online"),
    database: z.enum(["ok", "unavailable"]),
    auth: z.enum(["embedded", "supabase"]),
  }),
  errors: [503],
});

import { z } from "zod";
import { defineEndpoint } from "./define";

export const openapiDocument = defineEndpoint({
  method: "GET",
  path: "/api/openapi.json",
  tag: "General",
  summary: "This API's OpenAPI 3.1 document",
  auth: "none",
  response: z.record(z.string(), z.unknown()),
});

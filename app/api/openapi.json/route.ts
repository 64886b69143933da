// GET /api/openapi.json – the OpenAPI 3.1 document of this API
import { openapiDocument } from "@/lib/api/meta";
import { buildOpenApiDocument } from "@/lib/api/openapi";
import { route } from "@/lib/http/route";

export const GET = route(openapiDocument, async () => buildOpenApiDocument());

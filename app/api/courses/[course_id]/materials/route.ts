// GET, POST /api/courses/{course_id}/materials – list materials; upload one and queue its processing
import { listMaterials, toMaterialResponse, uploadMaterial } from "@/lib/api/courses";
import * as materials from "@/lib/courses/materials";
import { afterResponse } from "@/lib/http/after";
import { route } from "@/lib/http/route";
import { kickIngestion } from "@/lib/ingest/runner";

export const maxDuration = 60;

export const GET = route(listMaterials, async ({ db, principal, params }) =>
  (await materials.listMaterials(db, { userId: principal.user.id, courseId: params.course_id })).map(
    toMaterialResponse,
  ),
);

export const POST = route(uploadMaterial, async ({ db, principal, params, body }) => {
  const { file } = body;
  const material = await materials.uploadMaterial(db, {
    userId: principal.user.id,
    courseId: params.course_id,
    file: { name: file.name, type: file.type, bytes: new Uint8Array(await file.arrayBuffer()) },
  });
  // The answer goes out now; processing starts right after, in this process.
  afterResponse(kickIngestion);
  return toMaterialResponse(material);
});

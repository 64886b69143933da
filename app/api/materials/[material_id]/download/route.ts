// GET /api/materials/{material_id}/download – the original bytes, as uploaded
import { downloadMaterial } from "@/lib/api/courses";
import { openMaterialFile } from "@/lib/courses/materials";
import { route } from "@/lib/http/route";
import { contentDisposition } from "@/lib/storage/keys";

export const GET = route(downloadMaterial, async ({ db, principal, params }) => {
  const { material, stream } = await openMaterialFile(db, {
    materialId: params.material_id,
    userId: principal.user.id,
  });
  return new Response(stream, {
    headers: {
      "content-type": material.fileType,
      "content-length": String(material.fileSize),
      "content-disposition": contentDisposition(material.name),
      "x-content-type-options": "nosniff",
      "cache-control": "private, no-store",
    },
  });
});

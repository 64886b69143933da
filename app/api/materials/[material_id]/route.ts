// GET, DELETE /api/materials/{material_id} – status of one material; delete it with its file and chunks
import { deleteMaterial, getMaterial, toMaterialResponse } from "@/lib/api/courses";
import * as materials from "@/lib/courses/materials";
import { route } from "@/lib/http/route";

export const GET = route(getMaterial, async ({ db, principal, params }) =>
  toMaterialResponse(
    await materials.getMaterialOrThrow(db, { materialId: params.material_id, userId: principal.user.id }),
  ),
);

export const DELETE = route(deleteMaterial, async ({ db, principal, params }) => {
  await materials.deleteMaterial(db, { materialId: params.material_id, userId: principal.user.id });
  return { message: "Material deleted successfully" };
});

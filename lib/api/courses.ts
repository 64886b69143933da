import { z } from "zod";
import { env } from "@/lib/config/env";
import type { Course } from "@/lib/courses";
import type { Material } from "@/lib/courses/materials";
import type { MaterialSearchResult } from "@/lib/retrieval";
import { defineEndpoint, NO_DEADLINE } from "./define";
import { uuidParam } from "./schemas";

const courseIdParam = uuidParam("course_id");
const materialIdParam = uuidParam("material_id");

export const CourseResponse = z
  .object({
    id: z.uuid(),
    name: z.string(),
    description: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Course" });

export function toCourseResponse(c: Course): z.input<typeof CourseResponse> {
  return {
    id: c.id,
    name: c.name,
    description: c.description,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

const courseName = z.string().trim().min(1, "name cannot be empty").max(200);
const courseDescription = z.string().trim().max(2000).nullable();

export const createCourse = defineEndpoint({
  method: "POST",
  path: "/api/courses",
  tag: "Courses",
  summary: "Create a course (a home for your materials)",
  auth: "user",
  body: z.object({ name: courseName, description: courseDescription.optional() }),
  status: 201,
  response: CourseResponse,
});

export const listCourses = defineEndpoint({
  method: "GET",
  path: "/api/courses",
  tag: "Courses",
  summary: "List your courses, newest first",
  auth: "user",
  response: z.array(CourseResponse),
});

export const getCourse = defineEndpoint({
  method: "GET",
  path: "/api/courses/{course_id}",
  tag: "Courses",
  summary: "Get one of your courses",
  auth: "user",
  params: courseIdParam,
  response: CourseResponse,
  errors: [404],
});

export const updateCourse = defineEndpoint({
  method: "PATCH",
  path: "/api/courses/{course_id}",
  tag: "Courses",
  summary: "Rename or describe a course",
  auth: "user",
  params: courseIdParam,
  body: z.strictObject({ name: courseName.optional(), description: courseDescription.optional() }),
  response: CourseResponse,
  errors: [404],
});

export const deleteCourse = defineEndpoint({
  method: "DELETE",
  path: "/api/courses/{course_id}",
  tag: "Courses",
  summary: "Delete a course with its materials, their files, chunks and vectors",
  auth: "user",
  params: courseIdParam,
  response: z.object({ message: z.string() }),
  errors: [404],
});

// --- Materials (the materials API document) ---

export const MaterialResponse = z
  .object({
    id: z.uuid(),
    course_id: z.uuid(),
    name: z.string(),
    file_path: z.string(),
    file_type: z.string(),
    file_size: z.number().int(),
    processing_status: z.enum(["pending", "processing", "completed", "failed"]),
    processed_at: z.string().nullable(),
    error_message: z.string().nullable(),
    has_embedding: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "MaterialResponse" });

export function toMaterialResponse(m: Material): z.input<typeof MaterialResponse> {
  return {
    id: m.id,
    course_id: m.courseId,
    name: m.name,
    file_path: m.storageKey,
    file_type: m.fileType,
    file_size: m.fileSize,
    processing_status: m.processingStatus,
    processed_at: m.processedAt?.toISOString() ?? null,
    error_message: m.errorMessage,
    has_embedding: m.hasEmbedding,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
  };
}

export const uploadMaterial = defineEndpoint({
  method: "POST",
  path: "/api/courses/{course_id}/materials",
  tag: "Materials",
  summary: "Upload a file to a course and queue it for OCR and embedding",
  description:
    "multipart/form-data with one `file`: PDF, JPEG, PNG, GIF or WebP (judged by the bytes), at most " +
    "MAX_UPLOAD_MB (10 MB by default). Answers at once with processing_status `pending`; poll " +
    "GET /api/materials/{material_id}.",
  auth: "user",
  params: courseIdParam,
  bodyKind: "multipart",
  deadline: NO_DEADLINE,
  // The file limit plus room for the multipart envelope; the exact file size is checked after.
  maxBodyBytes: () => ({
    bytes: env().MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024,
    detail: `File too large: maximum is ${env().MAX_UPLOAD_MB} MB`,
  }),
  body: z.object({
    file: z
      .instanceof(File, { message: 'file: a file is required (multipart field "file")' })
      .meta({ type: "string", format: "binary" }),
  }),
  status: 201,
  response: MaterialResponse,
  errors: [404, 413],
});

export const listMaterials = defineEndpoint({
  method: "GET",
  path: "/api/courses/{course_id}/materials",
  tag: "Materials",
  summary: "List a course's materials with their processing status, newest first",
  auth: "user",
  params: courseIdParam,
  response: z.array(MaterialResponse),
  errors: [404],
});

export const MaterialSearchResultSchema = z
  .object({
    material_id: z.uuid(),
    name: z.string(),
    excerpt: z.string(),
    similarity_score: z.number().min(0).max(1),
    file_type: z.string(),
    page: z.number().int(),
  })
  .meta({ id: "MaterialSearchResult" });

export function toSearchResult(r: MaterialSearchResult): z.input<typeof MaterialSearchResultSchema> {
  return {
    material_id: r.materialId,
    name: r.name,
    excerpt: r.excerpt,
    similarity_score: r.similarity,
    file_type: r.fileType,
    page: r.page,
  };
}

export const searchMaterials = defineEndpoint({
  method: "GET",
  path: "/api/courses/{course_id}/materials/search",
  tag: "Materials",
  summary: "Search a course's materials (hybrid: meaning and words), best passage per material",
  auth: "user",
  params: courseIdParam,
  query: z.object({
    query: z
      .string({ error: "Query parameter cannot be empty" })
      .trim()
      .min(1, "Query parameter cannot be empty")
      .max(500, "query must be at most 500 characters"),
    limit: z.coerce
      .number("limit must be an integer from 1 to 10")
      .int("limit must be an integer from 1 to 10")
      .min(1, "limit must be an integer from 1 to 10")
      .max(10, "limit must be an integer from 1 to 10")
      .default(3),
  }),
  response: z.array(MaterialSearchResultSchema),
  errors: [404],
});

export const getMaterial = defineEndpoint({
  method: "GET",
  path: "/api/materials/{material_id}",
  tag: "Materials",
  summary: "Get a material's metadata and processing status",
  auth: "user",
  params: materialIdParam,
  response: MaterialResponse,
  errors: [404],
});

export const downloadMaterial = defineEndpoint({
  method: "GET",
  path: "/api/materials/{material_id}/download",
  tag: "Materials",
  summary: "Download the original file",
  auth: "user",
  params: materialIdParam,
  responseContentType: "application/octet-stream",
  errors: [404],
});

export const deleteMaterial = defineEndpoint({
  method: "DELETE",
  path: "/api/materials/{material_id}",
  tag: "Materials",
  summary: "Delete a material, its file, chunks and vectors",
  auth: "user",
  params: materialIdParam,
  response: z.object({ message: z.string() }),
  errors: [404],
});

-- pgvector (embeddings) and unaccent (French full-text search): drizzle-kit does not emit extensions.
CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;

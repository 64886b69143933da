CREATE TYPE "public"."document_status" AS ENUM('pending', 'processing', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."reference_status" AS ENUM('discovered', 'queued', 'processing', 'ready', 'failed');--> statement-breakpoint
CREATE TYPE "public"."scrape_run_status" AS ENUM('running', 'success', 'partial', 'failed');--> statement-breakpoint
CREATE TABLE "curriculum_references" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"title" text NOT NULL,
	"pdf_url" text NOT NULL,
	"source_page" text,
	"education_level" text,
	"year" integer,
	"subject" text,
	"series" text,
	"edition" text,
	"language" text DEFAULT 'fr' NOT NULL,
	"status" "reference_status" DEFAULT 'discovered' NOT NULL,
	"error_message" text,
	"last_run_id" uuid,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference_id" uuid,
	"title" text NOT NULL,
	"education_level" text,
	"grade" text,
	"subject" text,
	"language" text DEFAULT 'fr' NOT NULL,
	"series" text,
	"edition" text,
	"namespace" text DEFAULT 'curriculum' NOT NULL,
	"pdf_source" text,
	"storage_key" text,
	"file_size" bigint,
	"page_count" integer,
	"status" "document_status" DEFAULT 'pending' NOT NULL,
	"error_message" text,
	"major" text,
	"weight" double precision,
	"category" text,
	"ingested_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_weight_range" CHECK ("documents"."weight" is null or ("documents"."weight" >= 0 and "documents"."weight" <= 100))
);
--> statement-breakpoint
CREATE TABLE "scrape_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"source" text NOT NULL,
	"status" "scrape_run_status" DEFAULT 'running' NOT NULL,
	"found_count" integer DEFAULT 0 NOT NULL,
	"new_count" integer DEFAULT 0 NOT NULL,
	"pages_total" integer,
	"pages_done" integer DEFAULT 0 NOT NULL,
	"errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"timings" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"error_message" text,
	"triggered_by" uuid,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "curriculum_references" ADD CONSTRAINT "curriculum_references_last_run_id_scrape_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."scrape_runs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_reference_id_curriculum_references_id_fk" FOREIGN KEY ("reference_id") REFERENCES "public"."curriculum_references"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "curriculum_references_pdf_url" ON "curriculum_references" USING btree ("pdf_url");--> statement-breakpoint
CREATE INDEX "curriculum_references_source_status_idx" ON "curriculum_references" USING btree ("source","status","created_at");--> statement-breakpoint
CREATE INDEX "curriculum_references_status_idx" ON "curriculum_references" USING btree ("status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "documents_reference_idx" ON "documents" USING btree ("reference_id");--> statement-breakpoint
CREATE INDEX "documents_status_idx" ON "documents" USING btree ("status","education_level","subject");--> statement-breakpoint
CREATE UNIQUE INDEX "scrape_runs_one_running" ON "scrape_runs" USING btree ("source") WHERE "scrape_runs"."status" = 'running';--> statement-breakpoint
CREATE INDEX "scrape_runs_source_idx" ON "scrape_runs" USING btree ("source","started_at");--> statement-breakpoint
ALTER TABLE "chunks" ADD CONSTRAINT "chunks_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingestion_jobs" ADD CONSTRAINT "ingestion_jobs_reference_id_curriculum_references_id_fk" FOREIGN KEY ("reference_id") REFERENCES "public"."curriculum_references"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "ingestion_jobs_document_idx" ON "ingestion_jobs" USING btree ("document_id");--> statement-breakpoint
CREATE INDEX "ingestion_jobs_reference_idx" ON "ingestion_jobs" USING btree ("reference_id");--> statement-breakpoint
CREATE UNIQUE INDEX "ingestion_jobs_one_live_reference" ON "ingestion_jobs" USING btree ("reference_id") WHERE "ingestion_jobs"."status" in ('queued', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "ingestion_jobs_one_live_document" ON "ingestion_jobs" USING btree ("document_id") WHERE "ingestion_jobs"."status" in ('queued', 'running');
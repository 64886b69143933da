CREATE TYPE "public"."reservation_status" AS ENUM('reserved', 'finalized', 'released', 'expired');--> statement-breakpoint
CREATE TYPE "public"."transaction_direction" AS ENUM('credit', 'debit');--> statement-breakpoint
CREATE TYPE "public"."transaction_type" AS ENUM('grant', 'topup', 'usage', 'refund', 'expense', 'adjustment');--> statement-breakpoint
CREATE TABLE "financial_transactions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid,
	"direction" "transaction_direction" NOT NULL,
	"type" "transaction_type" NOT NULL,
	"tokens" bigint DEFAULT 0 NOT NULL,
	"amount" numeric(14, 2),
	"currency" text,
	"category" text,
	"description" text,
	"reservation_id" uuid,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "financial_transactions_tokens" CHECK (("financial_transactions"."type" = 'expense' and "financial_transactions"."tokens" = 0) or ("financial_transactions"."type" <> 'expense' and "financial_transactions"."tokens" > 0)),
	CONSTRAINT "financial_transactions_amount_positive" CHECK ("financial_transactions"."amount" is null or "financial_transactions"."amount" > 0)
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"response" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "token_reservations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"tokens" bigint NOT NULL,
	"status" "reservation_status" DEFAULT 'reserved' NOT NULL,
	"charged_tokens" bigint,
	"purpose" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ended_at" timestamp with time zone,
	CONSTRAINT "token_reservations_tokens_positive" CHECK ("token_reservations"."tokens" > 0),
	CONSTRAINT "token_reservations_charged_range" CHECK ("token_reservations"."charged_tokens" is null or ("token_reservations"."charged_tokens" >= 0 and "token_reservations"."charged_tokens" <= "token_reservations"."tokens")),
	CONSTRAINT "token_reservations_ended" CHECK (("token_reservations"."status" = 'reserved') = ("token_reservations"."ended_at" is null and "token_reservations"."charged_tokens" is null))
);
--> statement-breakpoint
CREATE TABLE "wallets" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"balance" bigint DEFAULT 0 NOT NULL,
	"reserved" bigint DEFAULT 0 NOT NULL,
	"tier" text DEFAULT 'free' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wallets_balance_nonnegative" CHECK ("wallets"."balance" >= 0),
	CONSTRAINT "wallets_reserved_range" CHECK ("wallets"."reserved" >= 0 and "wallets"."reserved" <= "wallets"."balance")
);
--> statement-breakpoint
ALTER TABLE "financial_transactions" ADD CONSTRAINT "financial_transactions_user_id_profiles_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."profiles"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "financial_transactions" ADD CONSTRAINT "financial_transactions_reservation_id_token_reservations_id_fk" FOREIGN KEY ("reservation_id") REFERENCES "public"."token_reservations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "token_reservations" ADD CONSTRAINT "token_reservations_user_id_profiles_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wallets" ADD CONSTRAINT "wallets_user_id_profiles_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "financial_transactions_user_idx" ON "financial_transactions" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "financial_transactions_type_idx" ON "financial_transactions" USING btree ("type","created_at");--> statement-breakpoint
CREATE INDEX "token_reservations_user_idx" ON "token_reservations" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "token_reservations_expiry_idx" ON "token_reservations" USING btree ("status","expires_at");
// Every suite starts from the embedded defaults, with known values where a default is random.
process.env.JWT_SECRET = "test-jwt-secret-that-is-at-least-32-characters";
process.env.ADMIN_API_KEY = "test-admin-key-0123456789";
process.env.AUTH_RATE_LIMIT_REQUESTS = "1000";
process.env.AUTH_RATE_LIMIT_IP_REQUESTS = "1000";
// Tests play many clients by sending X-Forwarded-For, as behind a reverse proxy (the e2e servers too).
process.env.TRUST_PROXY = "true";
delete process.env.DATABASE_URL;
delete process.env.SUPABASE_URL;
delete process.env.ADMIN_EMAIL;
delete process.env.ADMIN_PASSWORD;
delete process.env.SMTP_URL;
// A developer's own keys must not send test traffic to real services.
delete process.env.OPENAI_API_KEY;
delete process.env.OPENAI_BASE_URL;
delete process.env.EMBEDDING_MODEL;
delete process.env.CRON_SECRET;

-- Backdated usage events: createdAt is when the usage happened (it picks the window), and recordedAt is when
-- Tally received an event sent with an earlier timestamp (null for every event recorded as it happened).
ALTER TABLE "UsageEvent" ADD COLUMN "recordedAt" TIMESTAMP(3);

-- tally_record_usage takes the time of the event (p_at) apart from the time of recording: the old signature
-- goes, and db:deploy creates the new one from lib/billing/record-usage.sql.
DROP FUNCTION IF EXISTS tally_record_usage(text, text, "EntitlementKind", numeric, text, text, text, jsonb, timestamp(3), text, int[], timestamp(3), jsonb);

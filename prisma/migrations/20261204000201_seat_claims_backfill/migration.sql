-- Seats follow members from now on (lib/workspaces/seats.ts): each membership claims one seat of the
-- `seats` gauge under the idempotency key 'seat:<membership id>'. This counts the memberships that
-- existed before, so the bars read the truth ("2 of 3 seats") from the first deploy. A workspace already
-- over its plan's seats keeps its members: those units are recorded as not admitted against the quota
-- (usedAtQuotaChange), which the invariant checker allows, and new members are refused until there is room.
-- Plans without a seats entitlement limit nothing and are left alone.

-- The lifetime window of every workspace that has members and no seats window yet (as openWindow opens it).
INSERT INTO "UsageWindow" (id, "workspaceId", feature, kind, period, "periodStart", "periodEnd", quota, used, overflow, "planId", "createdAt")
SELECT gen_random_uuid()::text, s."workspaceId", 'seats', e.kind, e.period, '1970-01-01 00:00:00', '9999-12-31 00:00:00', e."limit", 0, e.overflow, s."planId", now()
FROM "Subscription" s
JOIN "Entitlement" e ON e."planId" = s."planId" AND e.feature = 'seats' AND e.period = 'lifetime'
WHERE EXISTS (SELECT 1 FROM "Membership" m WHERE m."workspaceId" = s."workspaceId")
  AND NOT EXISTS (SELECT 1 FROM "UsageWindow" w WHERE w."workspaceId" = s."workspaceId" AND w.feature = 'seats' AND w."periodStart" <= now() AND w."periodEnd" > now())
ON CONFLICT ("workspaceId", feature, "periodStart") DO NOTHING;

-- One claim per membership not yet counted, in its workspace's active seats window. The request hash is
-- the engine's for {op: "claim", feature: "seats", units: "1"}.
CREATE TEMPORARY TABLE seat_backfill AS
SELECT m.id AS "membershipId", m."workspaceId", w.id AS "windowId"
FROM "Membership" m
JOIN "UsageWindow" w ON w."workspaceId" = m."workspaceId" AND w.feature = 'seats' AND w."periodStart" <= now() AND w."periodEnd" > now()
WHERE NOT EXISTS (SELECT 1 FROM "UsageEvent" ev WHERE ev."workspaceId" = m."workspaceId" AND ev."idempotencyKey" = 'seat:' || m.id);

INSERT INTO "UsageEvent" (id, "workspaceId", feature, "windowId", units, "quotaUnits", "extrasUnits", "idempotencyKey", "requestHash", response, "createdAt")
SELECT gen_random_uuid()::text, b."workspaceId", 'seats', b."windowId", 1, 1, 0, 'seat:' || b."membershipId",
  'a8db16c6b0350227406259d15f9d5ab6b0d35bf1379318ad8a7819fcdff4f671',
  jsonb_build_object('allowed', true, 'feature', 'seats', 'units', '1', 'remaining', NULL, 'extrasRemaining', '0', 'resetsAt', NULL),
  now()
FROM seat_backfill b;

UPDATE "UsageWindow" w
SET used = w.used + c.n, "usedAtQuotaChange" = COALESCE(w."usedAtQuotaChange", 0) + c.n
FROM (SELECT "windowId", count(*) AS n FROM seat_backfill GROUP BY "windowId") c
WHERE w.id = c."windowId";

DROP TABLE seat_backfill;

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "operator" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorKind" TEXT NOT NULL,
    "actorId" TEXT,
    "actorEmail" TEXT,
    "workspaceId" TEXT,
    "action" TEXT NOT NULL,
    "subjectType" TEXT,
    "subjectId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "memo" TEXT,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditLog_seq_key" ON "AuditLog"("seq");

-- CreateIndex
CREATE INDEX "AuditLog_workspaceId_seq_idx" ON "AuditLog"("workspaceId", "seq");

-- CreateIndex
CREATE INDEX "AuditLog_action_seq_idx" ON "AuditLog"("action", "seq");

-- CreateIndex
CREATE INDEX "AuditLog_actorEmail_seq_idx" ON "AuditLog"("actorEmail", "seq");

-- CreateTable
CREATE TABLE "acl_rules" (
    "id" TEXT NOT NULL,
    "subject_kind" TEXT NOT NULL,
    "subject" TEXT,
    "action" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "permission" TEXT NOT NULL,
    "qos" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "retain" BOOLEAN,
    "priority" INTEGER NOT NULL DEFAULT 1000,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "acl_rules_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "acl_rules_priority_idx" ON "acl_rules"("priority");

-- CreateTable
CREATE TABLE "session_policies" (
    "id" TEXT NOT NULL,
    "target_type" TEXT NOT NULL,
    "target_name" TEXT NOT NULL,
    "session_expiry_max" BIGINT,
    "max_queued" INTEGER,
    "queue_qos0" BOOLEAN,
    "drop_policy" TEXT,
    "max_inflight" INTEGER,
    "max_packet_size" INTEGER,
    "keep_alive_max" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "session_policies_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "session_policies_target_type_check" CHECK ("target_type" IN ('default', 'user', 'group')),
    CONSTRAINT "session_policies_drop_policy_check" CHECK ("drop_policy" IN ('drop-oldest', 'drop-new'))
);

-- CreateIndex
CREATE UNIQUE INDEX "session_policies_target_type_target_name_key" ON "session_policies"("target_type", "target_name");

-- CreateTable
CREATE TABLE "stats_samples" (
    "id" BIGSERIAL NOT NULL,
    "node" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "version" TEXT NOT NULL,
    "connections" INTEGER NOT NULL,
    "sessions" INTEGER NOT NULL,
    "subscriptions" INTEGER NOT NULL,
    "retained" INTEGER NOT NULL,
    "queued" INTEGER NOT NULL,
    "inflight" INTEGER NOT NULL,
    "dropped" BIGINT NOT NULL,
    "messages_in" BIGINT NOT NULL,
    "messages_out" BIGINT NOT NULL,
    "bytes_in" BIGINT NOT NULL,
    "bytes_out" BIGINT NOT NULL,
    "messages_in_rate" DOUBLE PRECISION NOT NULL,
    "messages_out_rate" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "stats_samples_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "stats_samples_at_idx" ON "stats_samples"("at");

-- CreateIndex
CREATE INDEX "stats_samples_node_at_idx" ON "stats_samples"("node", "at");

-- CreateTable
CREATE TABLE "sys_snapshots" (
    "node" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "topics" JSONB NOT NULL,

    CONSTRAINT "sys_snapshots_pkey" PRIMARY KEY ("node")
);

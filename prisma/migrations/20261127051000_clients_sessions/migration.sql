-- CreateTable
CREATE TABLE "client_presence" (
    "client_id" TEXT NOT NULL,
    "node" TEXT NOT NULL,
    "username" TEXT,
    "ip" TEXT,
    "port" INTEGER,
    "protocol_version" INTEGER NOT NULL,
    "keep_alive" INTEGER NOT NULL,
    "clean_start" BOOLEAN NOT NULL,
    "session_expiry_interval" BIGINT NOT NULL,
    "connected_at" TIMESTAMPTZ(3) NOT NULL,
    "subscriptions" INTEGER NOT NULL DEFAULT 0,
    "queued" INTEGER NOT NULL DEFAULT 0,
    "inflight" INTEGER NOT NULL DEFAULT 0,
    "dropped" BIGINT NOT NULL DEFAULT 0,
    "messages_in" BIGINT NOT NULL DEFAULT 0,
    "messages_out" BIGINT NOT NULL DEFAULT 0,
    "bytes_in" BIGINT NOT NULL DEFAULT 0,
    "bytes_out" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "client_presence_pkey" PRIMARY KEY ("client_id")
);

-- CreateIndex
CREATE INDEX "client_presence_node_idx" ON "client_presence"("node");

-- CreateIndex
CREATE INDEX "client_presence_connected_at_idx" ON "client_presence"("connected_at");

-- CreateTable
CREATE TABLE "broker_commands" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "target_node" TEXT,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "result" JSONB,
    "node" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "broker_commands_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "broker_commands_created_at_idx" ON "broker_commands"("created_at");

-- CreateTable
CREATE TABLE "session_expire_jobs" (
    "id" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "offline_for_seconds" INTEGER NOT NULL,
    "username_prefix" TEXT,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "actor" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "session_expire_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "session_expire_jobs_created_at_idx" ON "session_expire_jobs"("created_at");

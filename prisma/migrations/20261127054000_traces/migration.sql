-- Tracing (issue #7): traces and the events brokers record for them.

-- CreateTable
CREATE TABLE "traces" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "stopped_at" TIMESTAMPTZ(3),
    "payload_capture_bytes" INTEGER NOT NULL DEFAULT 0,
    "payload_encoding" TEXT NOT NULL DEFAULT 'text',
    "max_events" INTEGER NOT NULL,
    "event_count" INTEGER NOT NULL DEFAULT 0,
    "created_by" TEXT,

    CONSTRAINT "traces_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "trace_events" (
    "id" BIGSERIAL NOT NULL,
    "trace_id" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "node" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "client_id" TEXT,
    "username" TEXT,
    "message_id" TEXT,
    "topic" TEXT,
    "qos" INTEGER,
    "packet_id" INTEGER,
    "reason" TEXT,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "trace_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "traces_status_ends_at_idx" ON "traces"("status", "ends_at");

-- CreateIndex
CREATE INDEX "traces_started_at_idx" ON "traces"("started_at");

-- CreateIndex
CREATE UNIQUE INDEX "trace_events_trace_id_seq_key" ON "trace_events"("trace_id", "seq");

-- CreateIndex
CREATE INDEX "trace_events_trace_id_message_id_idx" ON "trace_events"("trace_id", "message_id");

-- CreateIndex
CREATE INDEX "trace_events_trace_id_client_id_seq_idx" ON "trace_events"("trace_id", "client_id", "seq");

-- CreateIndex
CREATE INDEX "trace_events_trace_id_type_seq_idx" ON "trace_events"("trace_id", "type", "seq");

-- AddForeignKey
ALTER TABLE "trace_events" ADD CONSTRAINT "trace_events_trace_id_fkey" FOREIGN KEY ("trace_id") REFERENCES "traces"("id") ON DELETE CASCADE ON UPDATE CASCADE;

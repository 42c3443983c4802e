-- CreateTable
CREATE TABLE "sessions" (
    "client_id" TEXT NOT NULL,
    "expiry_interval" BIGINT NOT NULL DEFAULT 0,
    "protocol_version" INTEGER NOT NULL,
    "username" TEXT,
    "node_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "disconnected_at" TIMESTAMPTZ(3),
    "will_topic" TEXT,
    "will_payload" BYTEA,
    "will_qos" INTEGER,
    "will_retain" BOOLEAN,
    "will_properties" JSONB,
    "will_delay_interval" BIGINT,

    CONSTRAINT "sessions_pkey" PRIMARY KEY ("client_id")
);

-- CreateTable
CREATE TABLE "subscriptions" (
    "session_client_id" TEXT NOT NULL,
    "topic_filter" TEXT NOT NULL,
    "qos" INTEGER NOT NULL,
    "no_local" BOOLEAN NOT NULL DEFAULT false,
    "retain_as_published" BOOLEAN NOT NULL DEFAULT false,
    "retain_handling" INTEGER NOT NULL DEFAULT 0,
    "subscription_identifier" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "subscriptions_pkey" PRIMARY KEY ("session_client_id","topic_filter")
);

-- CreateTable
CREATE TABLE "messages" (
    "id" BIGSERIAL NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "qos" INTEGER NOT NULL,
    "retain" BOOLEAN NOT NULL DEFAULT false,
    "properties" JSONB,
    "publisher_client_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "messages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "session_messages" (
    "seq" BIGSERIAL NOT NULL,
    "session_client_id" TEXT NOT NULL,
    "message_id" BIGINT NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'queued',
    "packet_id" INTEGER,
    "qos" INTEGER NOT NULL,
    "retain" BOOLEAN NOT NULL DEFAULT false,
    "subscription_ids" INTEGER[] DEFAULT ARRAY[]::INTEGER[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_messages_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "inbound_qos2" (
    "session_client_id" TEXT NOT NULL,
    "packet_id" INTEGER NOT NULL,
    "message_id" BIGINT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "inbound_qos2_pkey" PRIMARY KEY ("session_client_id","packet_id")
);

-- CreateTable
CREATE TABLE "retained_messages" (
    "topic" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "qos" INTEGER NOT NULL,
    "properties" JSONB,
    "publisher_client_id" TEXT NOT NULL,
    "publisher_username" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "retained_messages_pkey" PRIMARY KEY ("topic")
);

-- CreateTable
CREATE TABLE "delayed_wills" (
    "client_id" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "payload" BYTEA NOT NULL,
    "qos" INTEGER NOT NULL,
    "retain" BOOLEAN NOT NULL DEFAULT false,
    "properties" JSONB,
    "username" TEXT,
    "publish_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "delayed_wills_pkey" PRIMARY KEY ("client_id")
);

-- CreateIndex
CREATE INDEX "sessions_node_id_idx" ON "sessions"("node_id");

-- CreateIndex
CREATE INDEX "session_messages_session_client_id_seq_idx" ON "session_messages"("session_client_id", "seq");

-- CreateIndex
CREATE INDEX "session_messages_message_id_idx" ON "session_messages"("message_id");

-- CreateIndex
CREATE INDEX "inbound_qos2_message_id_idx" ON "inbound_qos2"("message_id");

-- CreateIndex
CREATE INDEX "delayed_wills_publish_at_idx" ON "delayed_wills"("publish_at");

-- AddForeignKey
ALTER TABLE "subscriptions" ADD CONSTRAINT "subscriptions_session_client_id_fkey" FOREIGN KEY ("session_client_id") REFERENCES "sessions"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_messages" ADD CONSTRAINT "session_messages_session_client_id_fkey" FOREIGN KEY ("session_client_id") REFERENCES "sessions"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_messages" ADD CONSTRAINT "session_messages_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_qos2" ADD CONSTRAINT "inbound_qos2_session_client_id_fkey" FOREIGN KEY ("session_client_id") REFERENCES "sessions"("client_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_qos2" ADD CONSTRAINT "inbound_qos2_message_id_fkey" FOREIGN KEY ("message_id") REFERENCES "messages"("id") ON DELETE SET NULL ON UPDATE CASCADE;

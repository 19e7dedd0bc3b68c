-- CreateEnum
CREATE TYPE "EventKind" AS ENUM ('CREATED', 'REVOKED', 'STATUS_CHANGED', 'REMOVED');

-- CreateEnum
CREATE TYPE "SubjectType" AS ENUM ('SCHEMA', 'ATTESTATION', 'OFFCHAIN_ATTESTATION');

-- CreateTable
CREATE TABLE "Chain" (
    "chainId" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "contract" TEXT NOT NULL,
    "startBlock" BIGINT NOT NULL,
    "confirmations" INTEGER NOT NULL,
    "headBlock" BIGINT,
    "safeBlock" BIGINT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Chain_pkey" PRIMARY KEY ("chainId")
);

-- CreateTable
CREATE TABLE "Checkpoint" (
    "chainId" INTEGER NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "blockHash" TEXT NOT NULL,
    "logIndex" INTEGER NOT NULL DEFAULT -1,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Checkpoint_pkey" PRIMARY KEY ("chainId")
);

-- CreateTable
CREATE TABLE "Block" (
    "chainId" INTEGER NOT NULL,
    "number" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,
    "parentHash" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,

    CONSTRAINT "Block_pkey" PRIMARY KEY ("chainId","number")
);

-- CreateTable
CREATE TABLE "Schema" (
    "chainId" INTEGER NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "registrant" TEXT NOT NULL,
    "revocable" BOOLEAN NOT NULL,
    "dataLocation" INTEGER NOT NULL,
    "maxValidFor" DECIMAL(20,0) NOT NULL,
    "hook" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "data" TEXT NOT NULL,
    "dataJson" JSONB,
    "fields" JSONB,
    "dataError" TEXT,
    "txHash" TEXT NOT NULL,
    "txFrom" TEXT NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "blockHash" TEXT NOT NULL,
    "logIndex" INTEGER NOT NULL,

    CONSTRAINT "Schema_pkey" PRIMARY KEY ("chainId","schemaId")
);

-- CreateTable
CREATE TABLE "Attestation" (
    "chainId" INTEGER NOT NULL,
    "attestationId" BIGINT NOT NULL,
    "schemaId" BIGINT NOT NULL,
    "linkedAttestationId" BIGINT,
    "attestTimestamp" BIGINT NOT NULL,
    "revokeTimestamp" BIGINT NOT NULL,
    "attester" TEXT NOT NULL,
    "validUntil" DECIMAL(20,0) NOT NULL,
    "dataLocation" INTEGER NOT NULL,
    "revoked" BOOLEAN NOT NULL,
    "recipientsRaw" TEXT[],
    "data" TEXT NOT NULL,
    "decodedData" JSONB,
    "dataEncoding" TEXT,
    "decodeError" TEXT,
    "indexingKey" TEXT NOT NULL,
    "txHash" TEXT NOT NULL,
    "txFrom" TEXT NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "blockHash" TEXT NOT NULL,
    "blockTimestamp" BIGINT NOT NULL,
    "logIndex" INTEGER NOT NULL,
    "revokeReason" TEXT,
    "revokeTxHash" TEXT,
    "revokeBlockNumber" BIGINT,
    "revokeBlockHash" TEXT,
    "revokeLogIndex" INTEGER,

    CONSTRAINT "Attestation_pkey" PRIMARY KEY ("chainId","attestationId")
);

-- CreateTable
CREATE TABLE "Recipient" (
    "chainId" INTEGER NOT NULL,
    "attestationId" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,
    "raw" TEXT NOT NULL,
    "address" TEXT,
    "text" TEXT,

    CONSTRAINT "Recipient_pkey" PRIMARY KEY ("chainId","attestationId","position")
);

-- CreateTable
CREATE TABLE "OffchainAttestation" (
    "chainId" INTEGER NOT NULL,
    "offchainAttestationId" TEXT NOT NULL,
    "attester" TEXT NOT NULL,
    "timestamp" BIGINT NOT NULL,
    "revoked" BOOLEAN NOT NULL,
    "revokeTimestamp" BIGINT,
    "revokeReason" TEXT,
    "revokeTxHash" TEXT,
    "revokeBlockNumber" BIGINT,
    "revokeBlockHash" TEXT,
    "revokeLogIndex" INTEGER,
    "txHash" TEXT NOT NULL,
    "txFrom" TEXT NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "blockHash" TEXT NOT NULL,
    "blockTimestamp" BIGINT NOT NULL,
    "logIndex" INTEGER NOT NULL,

    CONSTRAINT "OffchainAttestation_pkey" PRIMARY KEY ("chainId","offchainAttestationId")
);

-- CreateTable
CREATE TABLE "Event" (
    "seq" BIGSERIAL NOT NULL,
    "chainId" INTEGER NOT NULL,
    "kind" "EventKind" NOT NULL,
    "subjectType" "SubjectType" NOT NULL,
    "subjectId" TEXT NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "blockHash" TEXT NOT NULL,
    "logIndex" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Event_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "SkippedLog" (
    "chainId" INTEGER NOT NULL,
    "blockNumber" BIGINT NOT NULL,
    "logIndex" INTEGER NOT NULL,
    "blockHash" TEXT NOT NULL,
    "txHash" TEXT NOT NULL,
    "topic0" TEXT,
    "data" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "SkippedLog_pkey" PRIMARY KEY ("chainId","blockNumber","logIndex")
);

-- CreateIndex
CREATE INDEX "Schema_chainId_registrant_idx" ON "Schema"("chainId", "registrant");

-- CreateIndex
CREATE INDEX "Schema_chainId_blockNumber_idx" ON "Schema"("chainId", "blockNumber");

-- CreateIndex
CREATE INDEX "Attestation_chainId_schemaId_attestationId_idx" ON "Attestation"("chainId", "schemaId", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_attester_attestationId_idx" ON "Attestation"("chainId", "attester", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_linkedAttestationId_idx" ON "Attestation"("chainId", "linkedAttestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_indexingKey_idx" ON "Attestation"("chainId", "indexingKey");

-- CreateIndex
CREATE INDEX "Attestation_chainId_attestTimestamp_idx" ON "Attestation"("chainId", "attestTimestamp");

-- CreateIndex
CREATE INDEX "Attestation_chainId_blockNumber_idx" ON "Attestation"("chainId", "blockNumber");

-- CreateIndex
CREATE INDEX "Recipient_address_idx" ON "Recipient"("address");

-- CreateIndex
CREATE INDEX "Recipient_text_idx" ON "Recipient"("text");

-- CreateIndex
CREATE INDEX "OffchainAttestation_chainId_attester_idx" ON "OffchainAttestation"("chainId", "attester");

-- CreateIndex
CREATE INDEX "OffchainAttestation_chainId_blockNumber_idx" ON "OffchainAttestation"("chainId", "blockNumber");

-- CreateIndex
CREATE INDEX "Event_chainId_blockNumber_idx" ON "Event"("chainId", "blockNumber");

-- CreateIndex
CREATE INDEX "Event_subjectType_subjectId_idx" ON "Event"("subjectType", "subjectId");

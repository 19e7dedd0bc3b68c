-- DropIndex
DROP INDEX "Attestation_attestTimestamp_attestationId_chainId_idx";

-- DropIndex
DROP INDEX "Attestation_attestationId_chainId_idx";

-- DropIndex
DROP INDEX "Attestation_chainId_attestTimestamp_idx";

-- DropIndex
DROP INDEX "Attestation_chainId_indexingKey_idx";

-- DropIndex
DROP INDEX "OffchainAttestation_chainId_attester_idx";

-- DropIndex
DROP INDEX "OffchainAttestation_chainId_blockNumber_idx";

-- DropIndex
DROP INDEX "Recipient_address_idx";

-- DropIndex
DROP INDEX "Recipient_text_idx";

-- DropIndex
DROP INDEX "Schema_chainId_registrant_idx";

-- AlterTable (written by hand: existing recipients take their attestation's attestTimestamp)
ALTER TABLE "Recipient" ADD COLUMN     "attestTimestamp" BIGINT;
UPDATE "Recipient" r SET "attestTimestamp" = a."attestTimestamp" FROM "Attestation" a
  WHERE a."chainId" = r."chainId" AND a."attestationId" = r."attestationId";
UPDATE "Recipient" SET "attestTimestamp" = 0 WHERE "attestTimestamp" IS NULL;
ALTER TABLE "Recipient" ALTER COLUMN "attestTimestamp" SET NOT NULL;

-- CreateIndex
CREATE INDEX "Attestation_chainId_attestTimestamp_attestationId_idx" ON "Attestation"("chainId", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_schemaId_attestTimestamp_attestationId_idx" ON "Attestation"("chainId", "schemaId", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_attester_attestTimestamp_attestationId_idx" ON "Attestation"("chainId", "attester", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_linkedAttestationId_attestTimestamp_att_idx" ON "Attestation"("chainId", "linkedAttestationId", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_indexingKey_attestationId_idx" ON "Attestation"("chainId", "indexingKey", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_indexingKey_attestTimestamp_attestation_idx" ON "Attestation"("chainId", "indexingKey", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_revoked_attestationId_idx" ON "Attestation"("chainId", "revoked", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_revoked_attestTimestamp_attestationId_idx" ON "Attestation"("chainId", "revoked", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "OffchainAttestation_chainId_blockNumber_logIndex_idx" ON "OffchainAttestation"("chainId", "blockNumber", "logIndex");

-- CreateIndex
CREATE INDEX "OffchainAttestation_chainId_attester_blockNumber_logIndex_idx" ON "OffchainAttestation"("chainId", "attester", "blockNumber", "logIndex");

-- CreateIndex
CREATE INDEX "OffchainAttestation_chainId_revoked_blockNumber_logIndex_idx" ON "OffchainAttestation"("chainId", "revoked", "blockNumber", "logIndex");

-- CreateIndex
CREATE INDEX "Recipient_chainId_address_attestationId_idx" ON "Recipient"("chainId", "address", "attestationId");

-- CreateIndex
CREATE INDEX "Recipient_chainId_address_attestTimestamp_attestationId_idx" ON "Recipient"("chainId", "address", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Recipient_chainId_text_attestationId_idx" ON "Recipient"("chainId", "text", "attestationId");

-- CreateIndex
CREATE INDEX "Recipient_chainId_text_attestTimestamp_attestationId_idx" ON "Recipient"("chainId", "text", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Schema_chainId_registrant_schemaId_idx" ON "Schema"("chainId", "registrant", "schemaId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_schemaId_attester_attestationId_idx" ON "Attestation"("chainId", "schemaId", "attester", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_schemaId_attester_attestTimestamp_attes_idx" ON "Attestation"("chainId", "schemaId", "attester", "attestTimestamp", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_attestationId_chainId_idx" ON "Attestation"("attestationId", "chainId");

-- CreateIndex
CREATE INDEX "Attestation_attestTimestamp_attestationId_chainId_idx" ON "Attestation"("attestTimestamp", "attestationId", "chainId");

-- CreateEnum
CREATE TYPE "VerificationStatus" AS ENUM ('PENDING', 'VALID', 'EXPIRED', 'REVOKED', 'INVALID');

-- DropIndex
DROP INDEX "Attestation_chainId_linkedAttestationId_idx";

-- AlterTable
ALTER TABLE "Chain" ADD COLUMN     "finalizedBlock" BIGINT,
ADD COLUMN     "headTimestamp" BIGINT;

-- CreateTable
CREATE TABLE "Verification" (
    "chainId" INTEGER NOT NULL,
    "attestationId" BIGINT NOT NULL,
    "status" "VerificationStatus" NOT NULL,
    "reasons" JSONB NOT NULL,
    "finalized" BOOLEAN NOT NULL,
    "delegated" BOOLEAN NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "nextCheckAt" TIMESTAMP(3),

    CONSTRAINT "Verification_pkey" PRIMARY KEY ("chainId","attestationId")
);

-- CreateTable
CREATE TABLE "VerificationJob" (
    "id" BIGSERIAL NOT NULL,
    "chainId" INTEGER NOT NULL,
    "attestationId" BIGINT NOT NULL,
    "cause" TEXT NOT NULL,
    "runAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "VerificationJob_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Verification_status_idx" ON "Verification"("status");

-- CreateIndex
CREATE INDEX "Verification_nextCheckAt_idx" ON "Verification"("nextCheckAt");

-- CreateIndex
CREATE INDEX "VerificationJob_runAfter_idx" ON "VerificationJob"("runAfter");

-- CreateIndex
CREATE INDEX "VerificationJob_chainId_attestationId_idx" ON "VerificationJob"("chainId", "attestationId");

-- CreateIndex
CREATE INDEX "Attestation_chainId_linkedAttestationId_attestationId_idx" ON "Attestation"("chainId", "linkedAttestationId", "attestationId");

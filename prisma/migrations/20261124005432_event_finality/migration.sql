-- CreateEnum
CREATE TYPE "Finality" AS ENUM ('LATEST', 'SAFE', 'FINALIZED');

-- AlterTable
ALTER TABLE "Event" ADD COLUMN     "finality" "Finality";

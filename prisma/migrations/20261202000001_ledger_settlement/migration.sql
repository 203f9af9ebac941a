-- AlterEnum
ALTER TYPE "LedgerKind" ADD VALUE 'settlement';


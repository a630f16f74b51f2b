// Plain JS on purpose: a next.config.ts makes the production server load the SWC addon just to read it (+25-30 MB RSS).

const securityHeaders = [
  // The pairing token travels in the URL fragment; never leak a URL to another site.
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'standalone',
  poweredByHeader: false,
  reactStrictMode: true,
  // The server is bundled separately (scripts/bundle-server.mjs); keep Next's tracing to the app itself.
  outputFileTracingExcludes: { '*': ['server/**', 'e2e/**', 'bench/**', 'nix/**'] },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

module.exports = nextConfig;

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
  // Types are checked once for the whole project by `npm test` (tsc --noEmit); the build does not repeat it.
  typescript: { ignoreBuildErrors: true },
  reactStrictMode: true,
  // No image optimisation on the box: the icons are static, and leaving sharp out keeps native libraries
  // (and about 30 MB) out of the standalone tree.
  images: { unoptimized: true },
  outputFileTracingExcludes: { '*': ['node_modules/sharp/**', 'node_modules/@img/**', 'node_modules/@swc/core*/**'] },
  async headers() {
    return [{ source: '/:path*', headers: securityHeaders }];
  },
};

export default nextConfig;

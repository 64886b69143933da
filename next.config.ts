import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native and WASM packages must be loaded by Node at run time, not bundled:
  // PGlite ships its WASM next to its JS, argon2 is a .node addon.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "@node-rs/argon2",
    "ws",
  ],
  poweredByHeader: false,
};

export default nextConfig;

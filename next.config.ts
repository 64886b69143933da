import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  // Native, WASM and worker-thread packages must be loaded by Node at run time, not bundled:
  // PGlite ships its WASM next to its JS, argon2 and canvas are .node addons, tesseract.js
  // starts its worker script from its own folder.
  serverExternalPackages: [
    "@electric-sql/pglite",
    "@electric-sql/pglite-pgvector",
    "@electric-sql/pglite-socket",
    "@node-rs/argon2",
    "@napi-rs/canvas",
    "tesseract.js",
    "ws",
  ],
  // The PDF worker thread (lib/ingest/extract/pdf-worker.ts, run through tsx) and what it and
  // tesseract load by path are invisible to the tracer: list them for standalone/Vercel output.
  outputFileTracingIncludes: {
    "/**": [
      "./lib/ingest/extract/**",
      "./node_modules/tsx/**",
      "./node_modules/esbuild/**",
      "./node_modules/@esbuild/**",
      "./node_modules/get-tsconfig/**",
      "./node_modules/resolve-pkg-maps/**",
      "./node_modules/unpdf/**",
      "./node_modules/@napi-rs/**",
      "./node_modules/tesseract.js/**",
      "./node_modules/tesseract.js-core/**",
      "./node_modules/bmp-js/**",
      "./node_modules/is-url/**",
      "./node_modules/node-fetch/**",
      "./node_modules/whatwg-url/**",
      "./node_modules/tr46/**",
      "./node_modules/webidl-conversions/**",
      "./node_modules/regenerator-runtime/**",
      "./node_modules/wasm-feature-detect/**",
      "./node_modules/zlibjs/**",
      "./node_modules/@tesseract.js-data/*/4.0.0_best_int/**",
      "./node_modules/@tesseract.js-data/*/package.json",
    ],
  },
  poweredByHeader: false,
};

export default nextConfig;

export * from "./auth";
export * from "./courses";
export * from "./curriculum";
export * from "./ingest";
export * from "./mail";
export * from "./profiles";
export * from "./rate-limit";
export * from "./secrets";

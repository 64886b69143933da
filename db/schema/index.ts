export * from "./auth";
export * from "./courses";
export * from "./ingest";
export * from "./mail";
export * from "./profiles";
export * from "./rate-limit";
export * from "./secrets";

export * from "./auth";
export * from "./mail";
export * from "./profiles";
export * from "./rate-limit";
export * from "./secrets";

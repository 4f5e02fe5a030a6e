export * from "./define";
export * from "./queue";
export * from "./queries";
export * from "./worker";

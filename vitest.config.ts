import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: run test files two at a time, each in its own process (tfjs and wasm keep global state).
    pool: "forks",
    maxWorkers: 2,
  },
});

import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real HTTPS servers and talk to a real Redis; two cores, so keep parallelism modest.
    maxWorkers: 2,
    sequence: { concurrent: false }
  }
})

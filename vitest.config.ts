import { defineConfig } from "vitest/config";
import { spawnSync } from "node:child_process";

// Node 20 runs relaxed SIMD only behind a V8 flag, so the tests that go over every backend
// run a second time, in workers started with that flag, on the relaxed build alone
// (NABLA_TEST_BACKENDS, read by test/helpers.ts). Where the engine has relaxed SIMD without
// the flag (Node 22+), the first project already covers it and the second is left out.
const RELAXED_FLAG = "--experimental-wasm-relaxed-simd";
// f32x4.relaxed_madd of three zero vectors, as src/wasm.ts's probe.
const splat0 = [0x43, 0, 0, 0, 0, 0xfd, 0x13];
const body = [...splat0, ...splat0, ...splat0, 0xfd, 0x85, 0x02];
const probe = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 1, 0x60, 0, 1, 0x7b, 3, 2, 1, 0,
  10, body.length + 4, 1, body.length + 2, 0, ...body, 0x0b]);
const relaxedBuiltIn = WebAssembly.validate(probe);
const flagAccepted = !relaxedBuiltIn && spawnSync(process.execPath, [RELAXED_FLAG, "-e", ""]).status === 0;

/** The test files that check every backend's kernels and training against references. */
const EVERY_BACKEND = [
  "test/kernels.test.ts", "test/batch-invariance.test.ts", "test/fused.test.ts", "test/gradcheck.test.ts",
  "test/activations.test.ts", "test/optimizers.test.ts", "test/worked-example.test.ts", "test/divergence.test.ts",
  "test/property.test.ts", "test/network.test.ts",
];

export default defineConfig({
  test: {
    setupFiles: ["test/setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: "node", include: ["test/**/*.test.ts"] } },
      ...(flagAccepted
        ? [{ extends: true, test: { name: "relaxed", include: EVERY_BACKEND, execArgv: [RELAXED_FLAG], env: { NABLA_TEST_BACKENDS: "wasm-relaxed" } } }]
        : []),
    ],
  },
});

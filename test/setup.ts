// Every test runs in Node with all three wasm builds registered, as `import "nabla"` does there.
import "../src/node.js";

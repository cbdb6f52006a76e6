/**
 * WASI 0.2 for components (`ComponentLinker.defineWasi`), on the preview1 `Wasi` of src/wasi.
 * Loading this module registers the host with the linker.
 *
 * @module
 */
import { registerWasiProvider } from "../runtime/linker.js";
import { wasiP2Interfaces } from "./host.js";

registerWasiProvider(wasiP2Interfaces);

export { wasiP2Interfaces, WASI_P2_VERSION } from "./host.js";

/**
 * The entry point the runtime calls while compiling a module: instrument the decoded module as the
 * engine's settings ask, decode the result for the next steps, and describe how to map its frames back.
 *
 * @module
 */
import { decodeModule } from "../binary/decoder.js";
import type { ModuleInfo } from "../binary/module-info.js";
import type { TrapCode } from "../errors.js";
import { instrumentModule, isWrapper, originalFuncIndex, type InstrumentOptions, type Instrumented } from "./index.js";
import { fuelAdjustAt } from "./fuel-segments.js";
import { TrapSite } from "./offsets.js";

/** An instrumented module ready for the engine. */
export interface InstrumentedCompile {
  /** What instrumentation did. */
  readonly instrumented: Instrumented & { readonly engineInfo: ModuleInfo };
  /** The decoded rewritten binary (what the rest of the compile path works on). */
  readonly engineInfo: ModuleInfo;
  /** Maps the rewritten binary's frames back to the original (see `FrameMapper` in runtime/trap.ts). */
  readonly mapper: {
    funcIndex(engineIndex: number): number;
    /** True for an export wrapper: a frame of it just outside its own function's body is not shown twice. */
    wrapper(engineIndex: number): boolean;
    offset(engineOffset: number): number;
    site(engineOffset: number): TrapCode | undefined;
    /**
     * What to add to the fuel global when the engine traps at `engineOffset` (see `fuelAdjustAt`);
     * absent without fuel.
     */
    fuelAdjust?(engineOffset: number): number;
  };
}

/** True when `options` ask for nothing that would change `info`. */
function nothingToDo(info: ModuleInfo, options: InstrumentOptions): boolean {
  if (options.fuelCosts || options.interrupt || options.nanCanonicalization || options.asyncImports?.length || options.asyncSharedTables) return false;
  return !options.storeResources || (info.memories.length === 0 && info.tables.length === 0);
}

/**
 * Instruments `info` for `options`; `undefined` when the binary stays as it is.
 *
 * @throws CompileError when a function body cannot be scanned.
 */
export function instrumentForEngine(info: ModuleInfo, options: InstrumentOptions): InstrumentedCompile | undefined {
  if (nothingToDo(info, options)) return undefined;
  const instrumented = instrumentModule(info, options);
  if (instrumented.bytes === info.bytes) return undefined;
  return fromInstrumented(instrumented, undefined, info, options.fuelCosts);
}

/**
 * The compile-path view of an already instrumented module; `engineInfo` is the decoded instrumented
 * binary when known (loading an artifact), else it is decoded here. `original` and `fuelCosts` (the
 * original module and the fuel costs it was instrumented with) let trap handling give back fuel
 * charged for code a trap kept from running.
 */
export function fromInstrumented(
  instrumented: Instrumented,
  engineInfo: ModuleInfo = decodeModule(instrumented.bytes, { lazy: true }),
  original?: ModuleInfo,
  fuelCosts?: Uint32Array,
): InstrumentedCompile {
  const offsets = instrumented.offsets;
  const refund = instrumented.fuel && original && fuelCosts
    ? { fuelAdjust: (o: number) => fuelAdjustAt(original, offsets.original(o), fuelCosts, instrumented.asyncify !== true) }
    : {};
  return {
    instrumented: { ...instrumented, engineInfo },
    engineInfo,
    mapper: {
      funcIndex: (i) => originalFuncIndex(instrumented, i),
      wrapper: (i) => isWrapper(instrumented, i),
      offset: (o) => offsets.original(o),
      site: (o) => {
        const site = offsets.trapAt(o);
        return site === TrapSite.outOfFuel ? "out_of_fuel" : site === TrapSite.interrupt ? "interrupt" : undefined;
      },
      ...refund,
    },
  };
}

/**
 * WASI 0.2 for components on a preview1 `Wasi`: `wasi:cli`, `wasi:io`, `wasi:clocks`, `wasi:random`,
 * `wasi:filesystem` and `wasi:sockets` (no network: `access-denied`), as `ComponentLinker`
 * definitions, and `wasi:cli/run` for `Wasi.start`.
 *
 * Layering: this lives under src/component because it implements component imports with the
 * component runtime's types (`ComponentError`, host resources); src/wasi knows nothing of components
 * and reaches the runner through the hook `Wasi` exposes for it.
 *
 * @module
 */
import type { Wasi } from "../../wasi/wasi.js";
import { WasiExit } from "../../wasi/exit.js";
import { monotonicNs } from "../../wasi/clock.js";
import { KIND_DIR } from "../../wasi/state.js";
import { WasiError } from "../../errors.js";
import { errnoName } from "../../wasi/defs.js";
import { ComponentError, isComponentError } from "../runtime/errors.js";
import { datetime, filesystemInterfaces } from "./filesystem.js";
import { InputStream, ioInterfaces, OutputStream, Pollable } from "./io.js";
import { Preview1 } from "./preview1.js";

/** The WASI 0.2 version whose names the definitions carry; imports of any `0.2.x` match them. */
export const WASI_P2_VERSION = "0.2.12";

const dec = new TextDecoder();

/** Bytes with a trailing NUL (how `WasiState` keeps args and env) as a string. */
function text(b: Uint8Array): string {
  return dec.decode(b.subarray(0, b.length - 1));
}

/** A resource no function can make (terminals, sockets): only its type is needed to link. */
class Unavailable {}

const denied = (): never => {
  throw new ComponentError("access-denied");
};

/**
 * The WASI 0.2 interfaces of `wasi`, keyed by full interface name (`wasi:cli/environment@0.2.12`),
 * each an object of functions and resource classes for `ComponentLinker.define`.
 */
export function wasiP2Interfaces(wasi: Wasi): Map<string, Record<string, unknown>> {
  let p1: Preview1 | undefined;
  const { state, functions } = wasi.preview1Internals((instance) => runCommand(instance, p1!));
  p1 = new Preview1(state, functions);
  const preopens: { fd: number; path: string; readOnly: boolean }[] = [];
  state.fds.forEach((e, fd) => {
    if (e !== undefined && e.kind === KIND_DIR && e.preopen !== null) preopens.push({ fd, path: dec.decode(e.preopen), readOnly: e.mount?.readOnly === true });
  });
  const random = (len: bigint): Uint8Array => {
    if (len > 1n << 26n) throw new ComponentError(undefined, `get-random-bytes: ${len} bytes is more than the 64 MiB one call may ask`);
    const b = new Uint8Array(Number(len));
    state.random(b);
    return b;
  };
  const u64 = (): bigint => new DataView(random(8n).buffer).getBigUint64(0, true);
  const byPackage: Record<string, Record<string, Record<string, unknown>>> = {
    cli: {
      environment: {
        getEnvironment: () => state.env.map((b) => {
          const s = text(b);
          const eq = s.indexOf("=");
          return [s.slice(0, eq), s.slice(eq + 1)];
        }),
        getArguments: () => state.args.map(text),
        initialCwd: () => undefined,
      },
      exit: {
        exit: (status: { tag: string }) => {
          throw new WasiExit(status.tag === "ok" ? 0 : 1);
        },
        exitWithCode: (code: number) => {
          throw new WasiExit(code);
        },
      },
      stdin: { getStdin: () => new InputStream(p1, 0, null) },
      stdout: { getStdout: () => new OutputStream(p1, 1, null) },
      stderr: { getStderr: () => new OutputStream(p1, 2, null) },
      "terminal-input": { TerminalInput: Unavailable },
      "terminal-output": { TerminalOutput: Unavailable },
      "terminal-stdin": { getTerminalStdin: () => undefined },
      "terminal-stdout": { getTerminalStdout: () => undefined },
      "terminal-stderr": { getTerminalStderr: () => undefined },
    },
    io: ioInterfaces(p1),
    clocks: {
      "monotonic-clock": {
        now: state.clock === null ? monotonicNs : () => state.nowNs(1),
        resolution: () => 1n,
        subscribeInstant: (when: bigint) => new Pollable(p1, when),
        subscribeDuration: (d: bigint) => new Pollable(p1, state.nowNs(1) + d),
      },
      "wall-clock": {
        now: () => datetime(state.nowNs(0)),
        resolution: () => ({ seconds: 0n, nanoseconds: 1 }),
      },
    },
    random: {
      random: { getRandomBytes: random, getRandomU64: u64 },
      insecure: { getInsecureRandomBytes: random, getInsecureRandomU64: u64 },
      "insecure-seed": { insecureSeed: () => [u64(), u64()] },
    },
    filesystem: filesystemInterfaces(p1, preopens),
    sockets: {
      network: { Network: Unavailable, networkErrorCode: () => undefined },
      "instance-network": { instanceNetwork: () => new Unavailable() },
      "ip-name-lookup": { ResolveAddressStream: Unavailable, resolveAddresses: denied },
      tcp: { TcpSocket: Unavailable },
      "tcp-create-socket": { createTcpSocket: denied },
      udp: { UdpSocket: Unavailable, IncomingDatagramStream: Unavailable, OutgoingDatagramStream: Unavailable },
      "udp-create-socket": { createUdpSocket: denied },
    },
  };
  const out = new Map<string, Record<string, unknown>>();
  for (const [pkg, ifaces] of Object.entries(byPackage)) {
    for (const [iface, impl] of Object.entries(ifaces)) out.set(`wasi:${pkg}/${iface}@${WASI_P2_VERSION}`, impl);
  }
  return out;
}

/** The `wasi:cli/run` export of a component instance's `exports`, any `0.2.x`, or undefined. */
export function runExport(exports: Record<string, unknown>): { run(): unknown } | undefined {
  for (const [name, value] of Object.entries(exports)) {
    if (/^wasi:cli\/run@0\.2\.\d+$/.test(name)) return value as { run(): unknown };
  }
  return undefined;
}

/**
 * Runs a command component's `wasi:cli/run` (what `Wasi.start` does with a component instance):
 * `ok` is exit code 0, `err` 1; `wasi:cli/exit` unwinds with its code (caught by `Wasi.start`).
 */
function runCommand(instance: object, p1: Preview1): number {
  const exports = (instance as { exports?: unknown }).exports;
  const run = typeof exports === "object" && exports !== null ? runExport(exports as Record<string, unknown>) : undefined;
  if (run === undefined) throw new WasiError("the component exports no wasi:cli/run@0.2.x interface (is it a command?)");
  // Stream writes to host files may be gathered during the run; the last ones are written when it
  // ends, however it ends (see preview1.ts). A late write error no stream could be told of fails the
  // run unless it already failed with an error of its own (an exit is not one: it is how runs end).
  p1.gathering = true;
  p1.lost = 0;
  let failed = false;
  try {
    run.run();
    return 0;
  } catch (e) {
    if (isComponentError(e)) return 1;
    failed = !(e instanceof WasiExit);
    throw e;
  } finally {
    p1.gathering = false;
    if (!p1.flushGathered()) p1.lose(p1.lastGatherErrno);
    if (p1.lost !== 0 && !failed) {
      const errno = p1.lost;
      p1.lost = 0;
      // eslint-disable-next-line no-unsafe-finally -- the run's own outcome is replaced on purpose
      throw new WasiError(`a file write of the component, gathered during the run, failed after its stream could report it: ${errnoName(errno)}`, errnoName(errno));
    }
  }
}

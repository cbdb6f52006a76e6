/**
 * Clocks, `poll_oneoff`, `random_get`, `sched_yield`, `proc_exit`, `proc_raise`.
 *
 * `poll_oneoff` reports ready descriptors at once; when none is ready it sleeps (Atomics.wait, or the
 * pluggable clock's `sleep`) until the earliest clock subscription expires and reports every clock
 * that has expired by then. It never sleeps past the store's deadline: reaching it traps `"interrupt"`
 * (see `WasiState.sleepWithin`). Subscription layouts differ between previews (see `SUBSCRIPTION1/0`).
 *
 * @module
 */
import { CLOCK, ERRNO, EVENT_FD_READWRITE_HANGUP, EVENT_SIZE, EVENTTYPE, RIGHTS, SIGNAL_MAX, SUBCLOCK_ABSTIME } from "../defs.js";
import { hostResolution, writeHostTime, writeHostTimeAligned } from "../clock.js";
import { WasiExit } from "../exit.js";
import { KIND_DIR, KIND_FILE, KIND_INPUT, type WasiState } from "../state.js";
import type { HostFn, Preview } from "./preview.js";

/** `random_get` fills this many bytes between looks at the store's deadline. */
const RANDOM_STRIDE = 1 << 16;

/** Signals whose default action is to ignore them (or to stop, which a guest cannot): chld, cont, stop, tstp, ttin, ttou, urg, winch. */
const IGNORED_SIGNALS = new Set([16, 17, 18, 19, 20, 21, 22, 27]);

/** The clock, poll, random and process calls of one namespace. */
export function procCalls(s: WasiState, p: Preview): Record<string, HostFn> {
  const L = p.subscription;
  function clockTimeGet(id: number, ptr: number): number {
    s.sync();
    ptr >>>= 0;
    if (ptr + 8 > s.u8.length) return ERRNO.FAULT;
    if (s.clock === null) return writeHostTime(s.u64, s.dv, ptr, id) ? 0 : ERRNO.INVAL;
    if (id < 0 || id > CLOCK.THREAD_CPUTIME_ID) return ERRNO.INVAL;
    s.dv.setBigUint64(ptr, BigInt.asUintN(64, s.clock.now(id)), true);
    return 0;
  }
  /**
   * The host clocks at an 8-aligned address (what C gives a timestamp), without `sync()`: the cached
   * view is good as it stands when the index is inside it. A grown non-shared memory detached it (length
   * 0); a grown shared memory's old view still covers its old length of the same memory. Anything else
   * takes the general path.
   */
  function clockTimeGetFast(id: number, ptr: number): number {
    ptr >>>= 0;
    if ((ptr & 7) === 0 && s.clock === null) {
      const u64 = s.u64;
      const i = ptr >>> 3;
      if (i < u64.length && writeHostTimeAligned(u64, i, id)) return 0;
    }
    return clockTimeGet(id, ptr);
  }
  return {
    clock_res_get(id: number, ptr: number): number {
      s.sync();
      ptr >>>= 0;
      if (!s.inBounds(ptr, 8)) return ERRNO.FAULT;
      if (id < 0 || id > CLOCK.THREAD_CPUTIME_ID) return ERRNO.INVAL;
      const r = s.clock?.resolution?.(id) ?? hostResolution(id);
      s.dv.setBigUint64(ptr, r, true);
      return 0;
    },

    clock_time_get(id: number, _precision: bigint, ptr: number): number {
      return clockTimeGetFast(id, ptr);
    },

    /** The same without the ignored i64 `precision`, for the adapter in imports.ts. */
    clock_time_get_i32: clockTimeGetFast,

    poll_oneoff(inPtr: number, outPtr: number, nsubs: number, neventsPtr: number): number {
      s.sync();
      inPtr >>>= 0;
      outPtr >>>= 0;
      nsubs >>>= 0;
      neventsPtr >>>= 0;
      if (nsubs === 0) return ERRNO.INVAL;
      if (!s.inBounds(inPtr, nsubs * L.SIZE) || !s.inBounds(outPtr, nsubs * EVENT_SIZE) || !s.inBounds(neventsPtr, 4)) return ERRNO.FAULT;
      const dv = s.dv;
      let nevents = 0;
      let minWait = -1n;
      // "Now" per clock id, read once, so that pass 2 recomputes the same waits.
      const nows: bigint[] = [-1n, -1n, -1n, -1n];
      const waitOf = (sub: number): bigint => {
        const id = dv.getUint32(sub + L.CLOCK_ID, true);
        const timeout = dv.getBigUint64(sub + L.TIMEOUT, true);
        if (!(dv.getUint16(sub + L.FLAGS, true) & SUBCLOCK_ABSTIME)) return timeout;
        if (nows[id]! < 0n) nows[id] = s.nowNs(id);
        const w = timeout - nows[id]!;
        return w < 0n ? 0n : w;
      };
      const event = (sub: number, error: number, type: number, nbytes: bigint, flags: number) => {
        const e = outPtr + nevents * EVENT_SIZE;
        s.u8.fill(0, e, e + EVENT_SIZE);
        dv.setBigUint64(e, dv.getBigUint64(sub, true), true);
        dv.setUint16(e + 8, error, true);
        dv.setUint8(e + 10, type);
        dv.setBigUint64(e + 16, nbytes, true);
        dv.setUint16(e + 24, flags, true);
        nevents++;
      };
      // Pass 1: descriptors and invalid subscriptions are reported immediately; clocks give a wait.
      for (let i = 0; i < nsubs; i++) {
        const sub = inPtr + i * L.SIZE;
        const tag = dv.getUint8(sub + 8);
        if (tag === EVENTTYPE.CLOCK) {
          const id = dv.getUint32(sub + L.CLOCK_ID, true);
          if (id > CLOCK.THREAD_CPUTIME_ID) {
            event(sub, ERRNO.INVAL, tag, 0n, 0);
            continue;
          }
          const wait = waitOf(sub);
          if (minWait < 0n || wait < minWait) minWait = wait;
        } else if (tag === EVENTTYPE.FD_READ || tag === EVENTTYPE.FD_WRITE) {
          const fd = dv.getUint32(sub + 16, true);
          const e = s.fds[fd];
          if (e === undefined) event(sub, ERRNO.BADF, tag, 0n, 0);
          else if (!(e.rightsBase & RIGHTS.POLL_FD_READWRITE)) event(sub, ERRNO.NOTCAPABLE, tag, 0n, 0);
          else if (e.kind === KIND_DIR) event(sub, ERRNO.BADF, tag, 0n, 0);
          else if (tag === EVENTTYPE.FD_READ) {
            if (e.kind === KIND_INPUT) {
              const n = e.input!.available();
              event(sub, 0, tag, BigInt(n), n === 0 ? EVENT_FD_READWRITE_HANGUP : 0);
            } else if (e.kind === KIND_FILE) {
              const size = e.file!.size();
              event(sub, 0, tag, BigInt(Math.max(0, size - e.pos)), 0);
            } else event(sub, ERRNO.BADF, tag, 0n, 0);
          } else {
            if (e.kind === KIND_INPUT) event(sub, ERRNO.BADF, tag, 0n, 0);
            else event(sub, 0, tag, 0n, 0);
          }
        } else event(sub, ERRNO.INVAL, tag, 0n, 0);
      }
      // Pass 2: nothing ready yet, so sleep until the earliest clock, then report every clock whose wait
      // was no longer than that (all measured from the same instant, before sleeping).
      if (nevents === 0 && minWait >= 0n) {
        s.sleepWithin(minWait);
        for (let i = 0; i < nsubs; i++) {
          const sub = inPtr + i * L.SIZE;
          if (dv.getUint8(sub + 8) !== EVENTTYPE.CLOCK || dv.getUint32(sub + L.CLOCK_ID, true) > CLOCK.THREAD_CPUTIME_ID) continue;
          if (waitOf(sub) <= minWait) event(sub, 0, EVENTTYPE.CLOCK, 0n, 0);
        }
      }
      dv.setUint32(neventsPtr, nevents, true);
      return 0;
    },

    random_get(ptr: number, len: number): number {
      s.sync();
      ptr >>>= 0;
      len >>>= 0;
      if (!s.inBounds(ptr, len)) return ERRNO.FAULT;
      // In 64 KiB pieces with the store's deadline looked at between them: up to 4 GiB can take long.
      for (let at = ptr, end = ptr + len; at < end; at += RANDOM_STRIDE) {
        if (at > ptr) s.checkDeadline();
        s.random(s.u8.subarray(at, Math.min(end, at + RANDOM_STRIDE)));
      }
      return 0;
    },

    sched_yield(): number {
      return 0;
    },

    proc_exit(code: number): void {
      throw new WasiExit(code >>> 0);
    },

    proc_raise(sig: number): number {
      if (sig < 0 || sig > SIGNAL_MAX) return ERRNO.INVAL;
      if (sig === 0 || IGNORED_SIGNALS.has(sig)) return 0;
      // The default action of every other signal terminates the process: exit with 128 + signal.
      throw new WasiExit(128 + sig);
    },
  };
}

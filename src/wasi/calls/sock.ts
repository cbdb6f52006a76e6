/**
 * `sock_*`: wasmhost gives a guest no sockets, so each call answers for the descriptor it names:
 * `EBADF` for no descriptor, `ENOTSOCK` for any other (every descriptor here is a file, directory or
 * stream). A bad pointer is still `EFAULT` first where the call writes results.
 *
 * @module
 */
import { ERRNO } from "../defs.js";
import type { WasiState } from "../state.js";
import type { HostFn, Preview } from "./preview.js";

/** The socket calls of one namespace (`sock_accept` exists only in preview1). */
export function sockCalls(s: WasiState, pv: Preview): Record<string, HostFn> {
  const notSock = (fd: number): number => (s.fds[fd >>> 0] === undefined ? ERRNO.BADF : ERRNO.NOTSOCK);
  const calls: Record<string, HostFn> = {
    sock_recv: (fd: number) => notSock(fd),
    sock_send: (fd: number) => notSock(fd),
    sock_shutdown: (fd: number) => notSock(fd),
  };
  if (pv.version === 1) calls.sock_accept = (fd: number) => notSock(fd);
  return calls;
}

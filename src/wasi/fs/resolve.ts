/**
 * The one place where guest paths become filesystem handles, and where the sandbox is enforced.
 *
 * A path is walked one component at a time from the directory handle the guest named (its sandbox
 * root), opening each directory with `openDirAt`, which never follows a symlink. Symlinks are read and
 * their targets spliced into the walk here, so they are followed only inside the sandbox:
 * - an absolute path or absolute symlink target is refused with `ENOTCAPABLE`;
 * - `..` pops the stack of directories actually walked, and popping the root is `ENOTCAPABLE`;
 * - more than `MAX_SYMLINKS` expansions is `ELOOP`; a NUL byte is `EINVAL`; an empty path `ENOENT`;
 * - a walk holding more than `MAX_DEPTH` directories is `ENAMETOOLONG`: on a host directory each is a
 *   descriptor of the host process, and symlinks could otherwise multiply a path's depth.
 * Because each step holds an open handle to the directory it walked into (a real fd on the host), a
 * symlink swapped in between the check and the use is met by `openDirAt`/`openFileAt` refusing to follow
 * it, not by following it out.
 *
 * @module
 */
import { ERRNO, FILETYPE } from "../defs.js";
import type { VfsDir, VfsStat } from "./vfs.js";

/** Symlink expansions allowed in one resolution (as Linux's MAXSYMLINKS). */
export const MAX_SYMLINKS = 40;
/** Directories one resolution may hold open at once (its depth below the starting directory). */
export const MAX_DEPTH = 512;
/**
 * Longest path or symlink target accepted (Linux's PATH_MAX): in UTF-8 bytes as the guest passes it
 * (checked before decoding), in UTF-16 units for a symlink target read back. Longer is `ENAMETOOLONG`.
 */
export const MAX_PATH = 4096;

/** Where a path leads: the directory that holds the last component, and its name. */
export interface Resolved {
  /** The directory containing `name` (open until `release`). */
  dir: VfsDir;
  /** The last component; `"."` when the path names `dir` itself (e.g. `"."`, `"a/.."`, `"a/"`-free forms). */
  name: string;
  /** The path ended in `/`: the target must be a directory. */
  trailingSlash: boolean;
  /** Handles opened while walking, to close (the starting handle is never among them). */
  opened: VfsDir[];
  /** `dir.statAt(name)` when the walk already looked it up (an errno if that failed), else undefined. */
  stat: VfsStat | number | undefined;
}

/** Closes the handles a resolution opened. */
export function release(r: Resolved): void {
  for (let i = r.opened.length - 1; i >= 0; i--) r.opened[i]!.close();
  r.opened.length = 0;
}

function closeAll(stack: VfsDir[]): void {
  for (let i = stack.length - 1; i >= 1; i--) stack[i]!.close();
}

/**
 * Resolves `path` relative to `start`. With `followFinal`, a symlink in the last position is followed
 * too (and so is any symlink when the path ends in `/`). Returns a `Resolved` or an errno.
 */
export function resolvePath(start: VfsDir, path: string, followFinal: boolean): Resolved | number {
  if (path.length === 0) return ERRNO.NOENT;
  if (path.length > MAX_PATH) return ERRNO.NAMETOOLONG;
  if (path.includes("\0")) return ERRNO.INVAL;
  if (path.charCodeAt(0) === 47 /* / */) return ERRNO.NOTCAPABLE;
  const trailingSlash = path.charCodeAt(path.length - 1) === 47;
  // Components still to walk, last first (so that splicing a symlink target is a push).
  const todo = path.split("/").reverse();
  const stack: VfsDir[] = [start];
  let links = 0;
  while (todo.length > 0) {
    const c = todo.pop()!;
    if (c === "" || c === ".") {
      if (todo.length === 0) return finish(stack, ".", trailingSlash, undefined);
      continue;
    }
    if (c === "..") {
      if (stack.length === 1) {
        closeAll(stack);
        return ERRNO.NOTCAPABLE;
      }
      stack.pop()!.close();
      if (todo.length === 0) return finish(stack, ".", trailingSlash, undefined);
      continue;
    }
    const top = stack[stack.length - 1]!;
    // Is this the last component (ignoring trailing empty components from "a/b/")?
    let last = true;
    for (let i = todo.length - 1; i >= 0; i--) {
      if (todo[i] !== "") {
        last = false;
        break;
      }
    }
    if (last && !followFinal && !trailingSlash) return finish(stack, c, false, undefined);
    if (last) {
      const st = top.statAt(c);
      if (typeof st !== "number" && st.filetype === FILETYPE.SYMBOLIC_LINK) {
        const e = expand(top, c, todo, ++links);
        if (e !== 0) {
          closeAll(stack);
          return e;
        }
        // A symlink target ending in "/" demands a directory as well.
        continue;
      }
      return finish(stack, c, trailingSlash, st);
    }
    const sub = top.openDirAt(c);
    if (typeof sub !== "number") {
      stack.push(sub);
      if (stack.length > MAX_DEPTH + 1) {
        closeAll(stack);
        return ERRNO.NAMETOOLONG;
      }
      continue;
    }
    if (sub === ERRNO.LOOP || sub === ERRNO.NOTDIR) {
      const st = top.statAt(c);
      if (typeof st !== "number" && st.filetype === FILETYPE.SYMBOLIC_LINK) {
        const e = expand(top, c, todo, ++links);
        if (e !== 0) {
          closeAll(stack);
          return e;
        }
        continue;
      }
      closeAll(stack);
      return ERRNO.NOTDIR;
    }
    closeAll(stack);
    return sub;
  }
  return finish(stack, ".", trailingSlash, undefined);

  function finish(s: VfsDir[], name: string, slash: boolean, stat: VfsStat | number | undefined): Resolved {
    return { dir: s[s.length - 1]!, name, trailingSlash: slash || trailingSlash, opened: s.slice(1), stat };
  }
}

/** Splices the target of symlink `dir/name` into `todo`; returns 0 or an errno. */
function expand(dir: VfsDir, name: string, todo: string[], count: number): number {
  if (count > MAX_SYMLINKS) return ERRNO.LOOP;
  const target = dir.readlinkAt(name);
  if (typeof target === "number") return target;
  if (target.length === 0) return ERRNO.NOENT;
  if (target.length > MAX_PATH) return ERRNO.NAMETOOLONG;
  if (target.charCodeAt(0) === 47) return ERRNO.NOTCAPABLE;
  if (target.includes("\0")) return ERRNO.INVAL;
  const parts = target.split("/");
  for (let i = parts.length - 1; i >= 0; i--) todo.push(parts[i]!);
  return 0;
}

/**
 * How many `..` lead the relative symlink target `target` (`.` and empty components aside), or -1 when
 * a `..` follows a name. A filesystem whose symlinks other programs may follow (a host directory)
 * refuses, with `ENOTCAPABLE`, a target that climbs more levels than the link's directory lies below
 * the preopen's root, and any target with `..` after a name: that `..` climbs from wherever the name
 * (perhaps itself a symlink) leads, which the text does not tell. MemoryFs applies the same rule, so
 * that a guest sees one behaviour.
 */
export function leadingClimbs(target: string): number {
  let climbs = 0;
  let named = false;
  for (const c of target.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (named) return -1;
      climbs++;
    } else named = true;
  }
  return climbs;
}

// build: -nostdlib -fno-builtin -Wl,--no-entry -mmultivalue -Xclang -target-abi -Xclang experimental-mv
// component: markdown.wit
/*
 * The Markdown renderer of markdown.c as a component core module: the canonical ABI's entry points
 * for the world in markdown.wit, which `wasmhost component new` wraps into markdown.component.wasm
 * (scripts/build-fixtures.sh does both steps).
 *
 *   cabi_realloc(old, old_size, align, new_size) -> ptr   the allocator the host copies strings with
 *   render(ptr, len) -> retptr       retptr points to (ptr, len) of the UTF-8 HTML, from malloc;
 *                                    the argument string (allocated by the host) is freed here
 *   cabi_post_render(retptr)         frees the HTML once the host has copied it out
 *
 * Allocation failure traps (`unreachable`): a component function has no way to return "no memory".
 */
#define MARKDOWN_NO_EXPORTS 1
#include "markdown.c"

#define COMPONENT_EXPORT(name) __attribute__((export_name(name)))

static u32 ret_area[2];

static void copy_bytes_fwd(u8 *dst, const u8 *src, u32 n) {
  for (u32 i = 0; i < n; i++) dst[i] = src[i];
}

COMPONENT_EXPORT("cabi_realloc")
void *cabi_realloc(void *old, uptr old_size, uptr align, uptr new_size) {
  if (align > 8) __builtin_trap(); /* malloc's payloads are 8-aligned, which covers every canonical ABI type */
  if (new_size == 0) new_size = 1;
  u8 *p = malloc(new_size);
  if (!p) __builtin_trap();
  if (old) {
    copy_bytes_fwd(p, old, (u32)(old_size < new_size ? old_size : new_size));
    free(old);
  }
  return p;
}

COMPONENT_EXPORT("render")
u32 *component_render(u8 *src, u32 len) {
  Result r = render(src, len);
  free(src);
  if (r.ptr == 0 && len != 0) __builtin_trap();
  ret_area[0] = r.ptr;
  ret_area[1] = r.len;
  return ret_area;
}

COMPONENT_EXPORT("cabi_post_render")
void cabi_post_render(u32 *ret) {
  free((void *)(uptr)ret[0]);
}

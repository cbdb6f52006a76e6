// build: -nostdlib -fno-builtin -Wl,--no-entry -mmultivalue -Xclang -target-abi -Xclang experimental-mv
/*
 * wasmhost's own small Markdown-to-HTML renderer, the "passing data" example.
 *
 * A freestanding module: no libc and no imports. Exports
 *   memory
 *   malloc(size) -> ptr        0 when memory cannot grow; malloc(0) returns a distinct, freeable pointer
 *   free(ptr)                  free(0) and pointers that are not live allocations are ignored
 *   render(ptr, len) -> (ptr, len)
 *                              two results: UTF-8 HTML in a buffer from malloc, which the caller frees;
 *                              (0, 0) when memory runs out (empty output is a non-zero ptr and len 0)
 *
 * What it renders:
 *   - Blocks. The input is split into lines ("\n"; a "\r" before it is dropped). A line of 1 to 6 '#'
 *     followed by a space, a tab or the end of the line is a heading (an optional closing run of '#'
 *     preceded by a space is removed). Other non-blank lines form paragraphs; blank lines end them.
 *     Leading and trailing spaces and tabs of every line are ignored; the lines of one paragraph are
 *     joined with "\n". The rendered blocks are joined with "\n", with no newline after the last one,
 *     so a single heading line renders to exactly "<h1>...</h1>".
 *   - Inlines, with CommonMark's precedence: code spans (`x`, ``x``; contents HTML-escaped and not
 *     parsed; one space on each side is stripped when both are there), links [text](url) (the text is
 *     parsed for inlines, a link inside link text wins over the outer one, the url may hold balanced
 *     parentheses; no titles), emphasis *x* _x_ and strong **x** __x__ with CommonMark's delimiter
 *     rules (flanking, no intraword '_', the "multiple of 3" rule), and backslash escapes of ASCII
 *     punctuation. A marker with no partner stays literal text.
 *   - Text has & < > " escaped. Urls are escaped the same way but not otherwise checked or encoded.
 *   - Not supported: lists, quotes, code blocks, raw HTML, autolinks, images, hard line breaks.
 *
 * Cost: linear in the input for the delimiter, bracket and link scans (link destinations nest at most
 * 32 parentheses deep); scratch of about 64 bytes per input byte during a call, freed before it
 * returns. Nothing recurses, so hostile input cannot overflow the stack.
 */

typedef unsigned char u8;
typedef unsigned int u32;
typedef __UINTPTR_TYPE__ uptr;

/* markdown.component.c includes this file and exports its own canonical-ABI entry points instead. */
#ifdef MARKDOWN_NO_EXPORTS
#define EXPORT(name)
#else
#define EXPORT(name) __attribute__((export_name(name)))
#endif

/* ---------------------------------------------------------------------------------------------------
 * Allocator: boundary-tag blocks in one heap that grows upward from __heap_base.
 * Block = [header u32 size|used][4 spare bytes][payload...][footer u32 size|used]; sizes are multiples
 * of 8 so payloads are 8-aligned. Free blocks are on a doubly linked list (next, prev in the payload),
 * found first-fit, split when the rest is big enough, and merged with free neighbours on free.
 */

extern u8 __heap_base;

#define PAGE 65536u
#define HDR 8u
#define FTR 4u
#define MIN_BLOCK 24u
#define USED 1u
#define MAX_ALLOC 0x7fff0000u

static uptr heap_start, heap_end, free_head;

static u32 rd(uptr addr) { return *(volatile u32 *)addr; }
static void wr(uptr addr, u32 v) { *(volatile u32 *)addr = v; }

static void set_block(uptr b, u32 size, u32 used) {
  wr(b, size | used);
  wr(b + size - FTR, size | used);
}

static void list_insert(uptr b) {
  wr(b + 8, (u32)free_head);
  wr(b + 12, 0);
  if (free_head) wr(free_head + 12, (u32)b);
  free_head = b;
}

static void list_remove(uptr b) {
  uptr next = rd(b + 8), prev = rd(b + 12);
  if (prev) wr(prev + 8, (u32)next); else free_head = next;
  if (next) wr(next + 12, (u32)prev);
}

/* Makes linear memory at least `end` bytes long; 0 when it cannot grow. */
static int ensure_memory(uptr end) {
  uptr have = __builtin_wasm_memory_size(0) * PAGE;
  if (end <= have) return 1;
  uptr pages = (end - have + PAGE - 1) / PAGE;
  return __builtin_wasm_memory_grow(0, pages) != (uptr)-1;
}

EXPORT("malloc") void *malloc(uptr n) {
  if (!heap_start) heap_start = heap_end = ((uptr)&__heap_base + 7) & ~(uptr)7;
  if (n > MAX_ALLOC) return 0;
  u32 need = (u32)((n + HDR + FTR + 7) & ~(uptr)7);
  if (need < MIN_BLOCK) need = MIN_BLOCK;
  for (uptr b = free_head; b; b = rd(b + 8)) {
    u32 size = rd(b) & ~7u;
    if (size < need) continue;
    list_remove(b);
    if (size - need >= MIN_BLOCK) {
      set_block(b + need, size - need, 0);
      list_insert(b + need);
      size = need;
    }
    set_block(b, size, USED);
    return (void *)(b + HDR);
  }
  /* Nothing fits: extend the heap, reusing a free block at its top. */
  uptr b = heap_end;
  u32 have = 0;
  if (heap_end > heap_start) {
    u32 tail = rd(heap_end - FTR);
    if (!(tail & USED)) {
      have = tail & ~7u;
      b = heap_end - have;
    }
  }
  uptr extra = need - have;
  if (extra > (uptr)0xffffffffu - heap_end || !ensure_memory(heap_end + extra)) return 0;
  if (have) list_remove(b);
  heap_end += extra;
  set_block(b, need, USED);
  return (void *)(b + HDR);
}

EXPORT("free") void free(void *ptr) {
  uptr p = (uptr)ptr;
  if (!p || (p & 7) || p < heap_start + HDR || p >= heap_end) return;
  uptr b = p - HDR;
  u32 head = rd(b);
  u32 size = head & ~7u;
  if (!(head & USED) || size < MIN_BLOCK || size > heap_end - b || rd(b + size - FTR) != head) return;
  uptr next = b + size;
  if (next < heap_end && !(rd(next) & USED)) {
    list_remove(next);
    size += rd(next) & ~7u;
  }
  if (b > heap_start) {
    u32 foot = rd(b - FTR);
    if (!(foot & USED)) {
      b -= foot & ~7u;
      list_remove(b);
      size += foot & ~7u;
    }
  }
  set_block(b, size, 0);
  list_insert(b);
}

static void copy_bytes(u8 *dst, const u8 *src, u32 n) {
  for (u32 i = 0; i < n; i++) dst[i] = src[i];
}

/* ---------------------------------------------------------------------------------------------------
 * Output buffer, doubling as it grows. After a failed allocation it stays failed (`oom`).
 */

typedef struct {
  u8 *p;
  u32 len, cap;
  int oom;
} Buf;

static int reserve(Buf *b, u32 extra) {
  if (b->oom) return 0;
  if (extra <= b->cap - b->len) return 1;
  u32 cap = b->cap ? b->cap : 64;
  while (cap - b->len < extra) {
    if (cap >= 0x40000000u) { b->oom = 1; return 0; }
    cap *= 2;
  }
  u8 *np = malloc(cap);
  if (!np) { b->oom = 1; return 0; }
  copy_bytes(np, b->p, b->len);
  free(b->p);
  b->p = np;
  b->cap = cap;
  return 1;
}

static void put(Buf *b, const u8 *s, u32 n) {
  if (!reserve(b, n)) return;
  copy_bytes(b->p + b->len, s, n);
  b->len += n;
}

static void put_str(Buf *b, const char *s) {
  u32 n = 0;
  while (s[n]) n++;
  put(b, (const u8 *)s, n);
}

static void put_char(Buf *b, u8 c) { put(b, &c, 1); }

/* Appends s[0..n) with & < > " escaped; with `newline_to_space`, "\n" becomes " " (code spans). */
static void put_escaped(Buf *b, const u8 *s, u32 n, int newline_to_space) {
  u32 run = 0;
  for (u32 i = 0; i < n; i++) {
    u8 c = s[i];
    const char *rep = 0;
    if (c == '&') rep = "&amp;";
    else if (c == '<') rep = "&lt;";
    else if (c == '>') rep = "&gt;";
    else if (c == '"') rep = "&quot;";
    else if (c == '\n' && newline_to_space) rep = " ";
    if (!rep) continue;
    put(b, s + run, i - run);
    put_str(b, rep);
    run = i + 1;
  }
  put(b, s + run, n - run);
}

/* ---------------------------------------------------------------------------------------------------
 * Inline parsing: one left-to-right pass makes tokens; emphasis is resolved afterwards (or, inside a
 * link, when the link closes) with CommonMark's delimiter algorithm; then the tokens are written out.
 */

enum { T_TEXT, T_BRACKET, T_CODE, T_DELIM, T_LINK_OPEN, T_LINK_CLOSE };

typedef struct {
  u8 type, ch, can_open, can_close;
  u32 a, b;            /* source range: text, code contents, link url */
  u32 orig, rem;       /* delimiter run: original and remaining length */
  int dprev, dnext;    /* neighbours in the delimiter list; -1 at the ends */
  int opens, closes, closes_last; /* match lists: tags written after / before the run's literal rest */
} Token;

typedef struct {
  int strong;
  int next_open, next_close;
} Match;

typedef struct {
  const u8 *s;
  u32 n;
  Token *tok;
  u32 ntok;
  Match *match;
  u32 nmatch;
  int *brackets;       /* token indexes of '[' not yet closed */
  u32 nbrackets;
  u32 inactive_below;  /* brackets[0..inactive_below) may no longer open a link (no links in links) */
  int dtail;           /* last token in the delimiter list, -1 when empty */
  u8 *code_fail;       /* code_fail[k]: no backtick run of length k after the current position */
} Inline;

static int is_punct(u8 c) {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}

static int is_space(u8 c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static int new_token(Inline *in, u8 type, u32 a, u32 b) {
  Token *t = &in->tok[in->ntok];
  t->type = type;
  t->ch = 0;
  t->can_open = t->can_close = 0;
  t->a = a;
  t->b = b;
  t->orig = t->rem = 0;
  t->dprev = t->dnext = -1;
  t->opens = t->closes = t->closes_last = -1;
  return (int)in->ntok++;
}

/* Adds source text [a, b), merged into the previous text token when they touch. */
static void add_text(Inline *in, u32 a, u32 b) {
  if (a >= b) return;
  if (in->ntok) {
    Token *last = &in->tok[in->ntok - 1];
    if (last->type == T_TEXT && last->b == a) { last->b = b; return; }
  }
  new_token(in, T_TEXT, a, b);
}

static u32 run_length(const u8 *s, u32 n, u32 i) {
  u32 j = i;
  while (j < n && s[j] == s[i]) j++;
  return j - i;
}

/* Start of the next backtick run of exactly length k at or after `from`, or -1. */
static long find_code_close(Inline *in, u32 from, u32 k) {
  if (in->code_fail[k]) return -1;
  u32 i = from;
  while (i < in->n) {
    if (in->s[i] != '`') { i++; continue; }
    u32 r = run_length(in->s, in->n, i);
    if (r == k) return (long)i;
    i += r;
  }
  in->code_fail[k] = 1; /* scanned to the end: later searches for k fail too */
  return -1;
}

/* Parses "(url)" at `p`; on success sets the url range and returns the index after ')', else 0. */
static u32 parse_destination(Inline *in, u32 p, u32 *ua, u32 *ub) {
  const u8 *s = in->s;
  u32 n = in->n;
  if (p >= n || s[p] != '(') return 0;
  u32 q = p + 1;
  while (q < n && (s[q] == ' ' || s[q] == '\t')) q++;
  *ua = q;
  u32 depth = 0;
  while (q < n) {
    u8 c = s[q];
    if (c == '\\' && q + 1 < n && is_punct(s[q + 1])) { q += 2; continue; }
    if (c <= ' ' || c == 127) break;
    if (c == '(') {
      if (++depth > 32) return 0;
    } else if (c == ')') {
      if (depth == 0) break;
      depth--;
    }
    q++;
  }
  if (depth) return 0;
  *ub = q;
  while (q < n && (s[q] == ' ' || s[q] == '\t')) q++;
  if (q >= n || s[q] != ')') return 0;
  return q + 1;
}

static void delim_remove(Inline *in, int d) {
  Token *t = &in->tok[d];
  if (t->dprev != -1) in->tok[t->dprev].dnext = t->dnext;
  if (t->dnext != -1) in->tok[t->dnext].dprev = t->dprev; else in->dtail = t->dprev;
  t->dprev = t->dnext = -1;
}

static void add_match(Inline *in, int opener, int closer, int strong) {
  int m = (int)in->nmatch++;
  Match *mt = &in->match[m];
  mt->strong = strong;
  mt->next_open = in->tok[opener].opens; /* later matches are outer: they go first */
  in->tok[opener].opens = m;
  mt->next_close = -1;
  Token *c = &in->tok[closer];
  if (c->closes_last == -1) c->closes = m; else in->match[c->closes_last].next_close = m;
  c->closes_last = m;
}

/* Resolves emphasis among the delimiter runs with token index >= bottom, then drops them from the list. */
static void process_emphasis(Inline *in, int bottom) {
  Token *tok = in->tok;
  int first = -1;
  for (int d = in->dtail; d != -1 && d >= bottom; d = tok[d].dprev) first = d;
  int openers_bottom[12];
  for (int k = 0; k < 12; k++) openers_bottom[k] = bottom - 1;
  int c = first;
  while (c != -1) {
    Token *cl = &tok[c];
    if (!cl->can_close) { c = cl->dnext; continue; }
    int cls = (cl->ch == '_') * 6 + cl->can_open * 3 + (int)(cl->orig % 3);
    int o = cl->dprev, found = -1;
    while (o != -1 && o >= bottom && o > openers_bottom[cls]) {
      Token *op = &tok[o];
      if (op->ch == cl->ch && op->can_open) {
        int odd = (op->can_close || cl->can_open) && (op->orig + cl->orig) % 3 == 0 &&
                  !(op->orig % 3 == 0 && cl->orig % 3 == 0);
        if (!odd) { found = o; break; }
      }
      o = op->dprev;
    }
    if (found != -1) {
      Token *op = &tok[found];
      u32 use = (op->rem >= 2 && cl->rem >= 2) ? 2 : 1;
      add_match(in, found, c, use == 2);
      op->rem -= use;
      cl->rem -= use;
      for (int x = op->dnext; x != c;) {
        int next = tok[x].dnext;
        delim_remove(in, x);
        x = next;
      }
      if (op->rem == 0) delim_remove(in, found);
      if (cl->rem == 0) {
        int next = cl->dnext;
        delim_remove(in, c);
        c = next;
      }
    } else {
      openers_bottom[cls] = cl->dprev;
      int next = cl->dnext;
      if (!cl->can_open) delim_remove(in, c);
      c = next;
    }
  }
  while (in->dtail != -1 && in->dtail >= bottom) delim_remove(in, in->dtail);
}

static void add_delimiter(Inline *in, u32 i, u32 k) {
  const u8 *s = in->s;
  u8 ch = s[i];
  u8 before = i > 0 ? s[i - 1] : ' ';
  u8 after = i + k < in->n ? s[i + k] : ' ';
  int left = !is_space(after) && (!is_punct(after) || is_space(before) || is_punct(before));
  int right = !is_space(before) && (!is_punct(before) || is_space(after) || is_punct(after));
  int d = new_token(in, T_DELIM, i, i + k);
  Token *t = &in->tok[d];
  t->ch = ch;
  t->orig = t->rem = k;
  if (ch == '*') {
    t->can_open = (u8)left;
    t->can_close = (u8)right;
  } else {
    t->can_open = (u8)(left && (!right || is_punct(before)));
    t->can_close = (u8)(right && (!left || is_punct(after)));
  }
  if (!t->can_open && !t->can_close) return; /* stays literal */
  t->dprev = in->dtail;
  if (in->dtail != -1) in->tok[in->dtail].dnext = d;
  in->dtail = d;
}

static void pop_bracket(Inline *in) {
  in->nbrackets--;
  if (in->inactive_below > in->nbrackets) in->inactive_below = in->nbrackets;
}

static void tokenize(Inline *in) {
  const u8 *s = in->s;
  u32 n = in->n, i = 0, text = 0;
  for (u32 k = 0; k <= n; k++) in->code_fail[k] = 0;
  in->ntok = in->nmatch = in->nbrackets = in->inactive_below = 0;
  in->dtail = -1;
  while (i < n) {
    u8 c = s[i];
    if (c == '\\' && i + 1 < n && is_punct(s[i + 1])) {
      add_text(in, text, i);
      add_text(in, i + 1, i + 2);
      i += 2;
      text = i;
    } else if (c == '`') {
      u32 k = run_length(s, n, i);
      long close = find_code_close(in, i + k, k);
      if (close < 0) { i += k; continue; } /* no closing run: the backticks are text */
      add_text(in, text, i);
      u32 a = i + k, b = (u32)close;
      if (b - a >= 2 && (s[a] == ' ' || s[a] == '\n') && (s[b - 1] == ' ' || s[b - 1] == '\n')) {
        u32 j = a;
        while (j < b && (s[j] == ' ' || s[j] == '\n')) j++;
        if (j < b) { a++; b--; }
      }
      new_token(in, T_CODE, a, b);
      i = (u32)close + k;
      text = i;
    } else if (c == '*' || c == '_') {
      u32 k = run_length(s, n, i);
      add_text(in, text, i);
      add_delimiter(in, i, k);
      i += k;
      text = i;
    } else if (c == '[') {
      add_text(in, text, i);
      in->brackets[in->nbrackets++] = new_token(in, T_BRACKET, i, i + 1);
      i++;
      text = i;
    } else if (c == ']' && in->nbrackets) {
      int open = in->brackets[in->nbrackets - 1];
      u32 ua = 0, ub = 0, end = 0;
      if (in->nbrackets > in->inactive_below) end = parse_destination(in, i + 1, &ua, &ub);
      pop_bracket(in);
      if (!end) { i++; continue; } /* not a link: ']' is text */
      add_text(in, text, i);
      in->tok[open].type = T_LINK_OPEN;
      in->tok[open].a = ua;
      in->tok[open].b = ub;
      process_emphasis(in, open + 1);
      new_token(in, T_LINK_CLOSE, i, end);
      in->inactive_below = in->nbrackets; /* the enclosing brackets can no longer make links */
      i = end;
      text = i;
    } else {
      i++;
    }
  }
  add_text(in, text, n);
  process_emphasis(in, 0);
}

static void put_url(Buf *out, const u8 *s, u32 a, u32 b) {
  u32 run = a;
  for (u32 i = a; i < b; i++) {
    if (s[i] == '\\' && i + 1 < b && is_punct(s[i + 1])) {
      put_escaped(out, s + run, i - run, 0);
      run = i + 1; /* drop the backslash, keep the character */
      i++;
    }
  }
  put_escaped(out, s + run, b - run, 0);
}

static void render_inline(Inline *in, Buf *out, const u8 *s, u32 n) {
  in->s = s;
  in->n = n;
  tokenize(in);
  for (u32 t = 0; t < in->ntok; t++) {
    Token *tk = &in->tok[t];
    switch (tk->type) {
      case T_TEXT: put_escaped(out, s + tk->a, tk->b - tk->a, 0); break;
      case T_BRACKET: put_char(out, '['); break;
      case T_CODE:
        put_str(out, "<code>");
        put_escaped(out, s + tk->a, tk->b - tk->a, 1);
        put_str(out, "</code>");
        break;
      case T_DELIM:
        for (int m = tk->closes; m != -1; m = in->match[m].next_close)
          put_str(out, in->match[m].strong ? "</strong>" : "</em>");
        for (u32 r = 0; r < tk->rem; r++) put_char(out, tk->ch);
        for (int m = tk->opens; m != -1; m = in->match[m].next_open)
          put_str(out, in->match[m].strong ? "<strong>" : "<em>");
        break;
      case T_LINK_OPEN:
        put_str(out, "<a href=\"");
        put_url(out, s, tk->a, tk->b);
        put_str(out, "\">");
        break;
      case T_LINK_CLOSE: put_str(out, "</a>"); break;
    }
  }
}

/* ---------------------------------------------------------------------------------------------------
 * Blocks.
 */

typedef struct {
  u32 ptr, len;
} Result;

typedef struct {
  Buf out;
  Inline in;
  u8 *para;
  u32 npara;
  u32 blocks;
} Renderer;

static void begin_block(Renderer *r) {
  if (r->blocks++) put_char(&r->out, '\n');
}

static void flush_paragraph(Renderer *r) {
  if (!r->npara) return;
  begin_block(r);
  put_str(&r->out, "<p>");
  render_inline(&r->in, &r->out, r->para, r->npara);
  put_str(&r->out, "</p>");
  r->npara = 0;
}

static int is_blank(u8 c) { return c == ' ' || c == '\t'; }

EXPORT("render") Result render(const u8 *src, u32 len) {
  Result fail = {0, 0};
  Renderer r;
  r.out.p = 0;
  r.out.len = r.out.cap = 0;
  r.out.oom = 0;
  r.npara = 0;
  r.blocks = 0;
  if (len > 0x01000000u) return fail; /* 16 MiB: scratch would exceed what a 32-bit heap can hold */
  r.in.tok = malloc((uptr)(len + 2) * sizeof(Token));
  r.in.match = malloc((uptr)(len + 1) * sizeof(Match));
  r.in.brackets = malloc((uptr)(len + 1) * sizeof(int));
  r.in.code_fail = malloc(len + 1);
  r.para = malloc(len + 1);
  reserve(&r.out, len + 16);
  if (!r.in.tok || !r.in.match || !r.in.brackets || !r.in.code_fail || !r.para) r.out.oom = 1;

  u32 pos = 0;
  while (pos < len && !r.out.oom) {
    u32 eol = pos;
    while (eol < len && src[eol] != '\n') eol++;
    u32 a = pos, b = eol;
    pos = eol + 1;
    if (b > a && src[b - 1] == '\r') b--;
    while (a < b && is_blank(src[a])) a++;
    while (b > a && is_blank(src[b - 1])) b--;
    if (a == b) { flush_paragraph(&r); continue; }
    u32 level = 0;
    while (a + level < b && src[a + level] == '#' && level < 7) level++;
    if (level >= 1 && level <= 6 && (a + level == b || is_blank(src[a + level]))) {
      flush_paragraph(&r);
      u32 ca = a + level, cb = b;
      while (ca < cb && is_blank(src[ca])) ca++;
      u32 k = cb;
      while (k > ca && src[k - 1] == '#') k--;
      if (k == ca || is_blank(src[k - 1])) {
        cb = k;
        while (cb > ca && is_blank(src[cb - 1])) cb--;
      }
      u8 tag[5] = {'h', (u8)('0' + level), '>', 0, 0};
      begin_block(&r);
      put_char(&r.out, '<');
      put(&r.out, tag, 3);
      render_inline(&r.in, &r.out, src + ca, cb - ca);
      put_str(&r.out, "</");
      put(&r.out, tag, 3);
      continue;
    }
    if (r.npara) r.para[r.npara++] = '\n';
    copy_bytes(r.para + r.npara, src + a, b - a);
    r.npara += b - a;
  }
  if (!r.out.oom) flush_paragraph(&r);

  free(r.in.tok);
  free(r.in.match);
  free(r.in.brackets);
  free(r.in.code_fail);
  free(r.para);
  if (r.out.oom) {
    free(r.out.p);
    return fail;
  }
  Result res = {(u32)(uptr)r.out.p, r.out.len};
  return res;
}

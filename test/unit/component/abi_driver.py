"""Differential driver for wasmhost's canonical ABI against the spec's executable reference.

Usage: python3 abi_driver.py DEFINITIONS_DIR SEED COUNT

Imports definitions.py from DEFINITIONS_DIR (the component-model repository's
design/mvp/canonical-abi), generates COUNT random cases from SEED and prints one JSON object per
line: a value type (in wasmhost's src/component/types.ts shape), a value (in the JS shape wasmhost
uses), and what the reference computes for it: layout, flattening, the memory after `store` and after
`lower_flat` (with every realloc call), and lifts of valid and mutated memory and flat values (a value
or "trap").

Memory is 64 KiB; realloc is a bump allocator that never reuses memory, starting at BUMP_START, and
freed blocks are zeroed before the memory is reported, so only live bytes are compared. The TS side
implements the same allocator.
"""

import json
import random
import struct
import sys

sys.path.insert(0, sys.argv[1])
import definitions as d  # noqa: E402

d.DETERMINISTIC_PROFILE = True

MEM_SIZE = 65536
BUMP_START = 32
STORE_PTR = 8


def camel(name):
    words = name.split("-")
    return words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])


# ---------------------------------------------------------------------------------------------
# Random types: (definitions type, wasmhost JSON type)

PRIMS = ["bool", "s8", "u8", "s16", "u16", "s32", "u32", "s64", "u64", "f32", "f64", "char", "string"]
PRIM_CLASSES = {
    "bool": d.BoolType, "s8": d.S8Type, "u8": d.U8Type, "s16": d.S16Type, "u16": d.U16Type,
    "s32": d.S32Type, "u32": d.U32Type, "s64": d.S64Type, "u64": d.U64Type, "f32": d.F32Type,
    "f64": d.F64Type, "char": d.CharType, "string": d.StringType,
}
WORDS = ["a", "b", "x", "y", "name", "count", "url", "is-ok", "max-len", "z"]


def labels(rng, n):
    out = []
    while len(out) < n:
        w = rng.choice(WORDS) + ("-" + rng.choice(WORDS) if rng.random() < 0.3 else "") + str(len(out))
        if camel(w) not in [camel(o) for o in out]:
            out.append(w)
    return out


def gen_type(rng, depth):
    if depth <= 0 or rng.random() < 0.35:
        k = rng.choice(PRIMS)
        return PRIM_CLASSES[k](), {"kind": k}
    k = rng.choice(["list", "list", "fixed", "record", "tuple", "variant", "enum", "option", "result", "flags"])
    if k == "list":
        t, j = gen_type(rng, depth - 1)
        return d.ListType(t), {"kind": "list", "element": j}
    if k == "fixed":
        t, j = gen_type(rng, depth - 1)
        n = rng.randint(1, 3)
        return d.ListType(t, n), {"kind": "list", "element": j, "length": n}
    if k == "record":
        ls = labels(rng, rng.randint(1, 4))
        fs = [gen_type(rng, depth - 1) for _ in ls]
        return (d.RecordType([d.FieldType(l, f[0]) for l, f in zip(ls, fs)]),
                {"kind": "record", "fields": [{"name": l, "type": f[1]} for l, f in zip(ls, fs)]})
    if k == "tuple":
        fs = [gen_type(rng, depth - 1) for _ in range(rng.randint(1, 3))]
        return d.TupleType([f[0] for f in fs]), {"kind": "tuple", "types": [f[1] for f in fs]}
    if k == "variant":
        ls = labels(rng, rng.choice([1, 2, 3, 4, 300]) if rng.random() < 0.1 else rng.randint(1, 4))
        cs = [gen_type(rng, depth - 1) if rng.random() < 0.7 else None for _ in ls]
        return (d.VariantType([d.CaseType(l, c[0] if c else None) for l, c in zip(ls, cs)]),
                {"kind": "variant", "cases": [{"name": l, **({"type": c[1]} if c else {})} for l, c in zip(ls, cs)]})
    if k == "enum":
        ls = labels(rng, rng.choice([1, 3, 257]))
        return d.EnumType(ls), {"kind": "enum", "names": ls}
    if k == "option":
        t, j = gen_type(rng, depth - 1)
        return d.OptionType(t), {"kind": "option", "type": j}
    if k == "result":
        ok = gen_type(rng, depth - 1) if rng.random() < 0.7 else None
        err = gen_type(rng, depth - 1) if rng.random() < 0.7 else None
        j = {"kind": "result"}
        if ok:
            j["ok"] = ok[1]
        if err:
            j["err"] = err[1]
        return d.ResultType(ok[0] if ok else None, err[0] if err else None), j
    ls = labels(rng, rng.choice([1, 5, 8, 9, 16, 17, 32]))
    return d.FlagsType(ls), {"kind": "flags", "names": ls}


# ---------------------------------------------------------------------------------------------
# Random values in the reference's representation

INT_RANGES = {"s8": (-128, 127), "u8": (0, 255), "s16": (-2**15, 2**15 - 1), "u16": (0, 2**16 - 1),
              "s32": (-2**31, 2**31 - 1), "u32": (0, 2**32 - 1), "s64": (-2**63, 2**63 - 1), "u64": (0, 2**64 - 1)}


def gen_char(rng):
    r = rng.random()
    if r < 0.5:
        return chr(rng.randint(0x20, 0x7e))
    if r < 0.7:
        return chr(rng.randint(0x80, 0xff))
    if r < 0.85:
        c = rng.randint(0x100, 0xfffd)
        return chr(c if not 0xd800 <= c <= 0xdfff else 0x4e2d)
    return chr(rng.randint(0x10000, 0x10ffff))


def gen_str(rng):
    kind = rng.random()
    n = rng.choice([0, 1, 3, 10, 30, 40])
    if kind < 0.4:
        return "".join(chr(rng.randint(0x20, 0x7e)) for _ in range(n))
    return "".join(gen_char(rng) for _ in range(n))


def gen_float(rng, bits):
    r = rng.random()
    if r < 0.1:
        return rng.choice([float("nan"), float("inf"), float("-inf"), -0.0, 0.0])
    f = rng.uniform(-1e6, 1e6) if r < 0.8 else rng.choice([1.5, -2.25, 1e-30, 3.4e38])
    if bits == 32:
        f = struct.unpack("<f", struct.pack("<f", f))[0]
    return f


def gen_value(rng, t, src_enc):
    t0 = t
    t = d.despecialize(t)
    if isinstance(t, d.BoolType):
        return rng.random() < 0.5
    for name, cls in PRIM_CLASSES.items():
        if name in INT_RANGES and isinstance(t, cls):
            lo, hi = INT_RANGES[name]
            return rng.choice([lo, hi, 0, rng.randint(lo, hi)])
    if isinstance(t, d.F32Type):
        return gen_float(rng, 32)
    if isinstance(t, d.F64Type):
        return gen_float(rng, 64)
    if isinstance(t, d.CharType):
        return gen_char(rng)
    if isinstance(t, d.StringType):
        s = gen_str(rng)
        if src_enc == "utf8":
            return (s, "utf8", len(s.encode("utf-8")))
        if src_enc == "utf16":
            return (s, "utf16", len(s.encode("utf-16-le")) // 2)
        if all(ord(c) < 256 for c in s):
            return (s, "latin1+utf16", len(s))
        return (s, "latin1+utf16", (len(s.encode("utf-16-le")) // 2) | (1 << 31))
    if isinstance(t, d.ListType):
        n = t.l if t.l is not None else rng.choice([0, 1, 2, 5])
        return [gen_value(rng, t.t, src_enc) for _ in range(n)]
    if isinstance(t, d.RecordType):
        return {f.label: gen_value(rng, f.t, src_enc) for f in t.fields}
    if isinstance(t, d.VariantType):
        c = rng.choice(t.cases)
        return {c.label: gen_value(rng, c.t, src_enc) if c.t is not None else None}
    if isinstance(t, d.FlagsType):
        return {l: rng.random() < 0.5 for l in t.labels}
    raise Exception("no value for " + repr(t0))


# ---------------------------------------------------------------------------------------------
# Reference values → JS shapes (JSON with tags for what JSON lacks)

def js_float(f):
    if f != f:
        return {"$f": "nan"}
    if f in (float("inf"), float("-inf")):
        return {"$f": "inf" if f > 0 else "-inf"}
    if f == 0 and struct.pack("<d", f)[0:8] != struct.pack("<d", 0.0):
        return {"$f": "-0"}
    return f


TYPED = {"u8", "s8", "u16", "s16", "u32", "s32", "u64", "s64", "f32", "f64"}


def prim_name(t):
    for name, cls in PRIM_CLASSES.items():
        if type(t) is cls:
            return name
    return None


def to_js(v, t, nested_option=False):
    if isinstance(t, d.BoolType):
        return bool(v)
    n = prim_name(t)
    if n in ("s64", "u64"):
        return {"$big": str(v)}
    if n in ("f32", "f64"):
        return js_float(v)
    if n in INT_RANGES:
        return v
    if isinstance(t, d.CharType):
        return v
    if isinstance(t, d.StringType):
        return v[0] if isinstance(v, tuple) else v
    if isinstance(t, d.ListType):
        en = prim_name(t.t)
        items = [to_js(e, t.t) for e in v]
        if en in TYPED:
            return {"$typed": en, "v": items}
        return items
    if isinstance(t, d.RecordType):
        return {camel(f.label): to_js(v[f.label], f.t) for f in t.fields}
    if isinstance(t, d.TupleType):
        return [to_js(v[str(i)], e) for i, e in enumerate(t.ts)]
    if isinstance(t, d.FlagsType):
        return {camel(l): bool(v[l]) for l in t.labels}
    if isinstance(t, d.EnumType):
        [label] = v.keys()
        return label
    if isinstance(t, d.OptionType):
        [label] = v.keys()
        if nested_option:
            return {"tag": "none"} if label == "none" else {"tag": "some", "val": to_js(v["some"], t.t, True)}
        return {"$u": 1} if label == "none" else to_js(v["some"], t.t, True)
    if isinstance(t, d.ResultType):
        [label] = v.keys()
        pt = t.ok if label == "ok" else t.error
        out = {"tag": "ok" if label == "ok" else "err"}
        if pt is not None:
            out["val"] = to_js(v[label], pt)
        return out
    if isinstance(t, d.VariantType):
        [label] = v.keys()
        [c] = [c for c in t.cases if c.label == label]
        out = {"tag": label}
        if c.t is not None:
            out["val"] = to_js(v[label], c.t)
        return out
    raise Exception("no JS shape for " + repr(t))


# ---------------------------------------------------------------------------------------------
# Memory with the bump allocator

class Heap:
    def __init__(self, mem=None):
        self.mem = d.MemInst(bytearray(MEM_SIZE) if mem is None else bytearray(mem), "i32")
        self.bump = BUMP_START
        self.log = []
        self.freed = []

    def realloc(self, args):
        old, old_size, align, new_size = args
        ptr = (self.bump + align - 1) // align * align
        self.bump = ptr + new_size
        if self.bump > MEM_SIZE:
            raise Exception("test heap exhausted")
        self.mem.bytes[ptr:ptr + min(old_size, new_size)] = self.mem.bytes[old:old + min(old_size, new_size)]
        if old_size:
            self.freed.append((old, old_size))
        self.log.append([old, old_size, align, new_size, ptr])
        return [ptr]

    def report(self):
        b = bytearray(self.mem.bytes)
        for p, n in self.freed:
            b[p:p + n] = bytes(n)
        return b[:self.bump].hex()


def context(heap, enc):
    opts = d.CanonicalOptions(string_encoding=enc, memory=heap.mem, realloc=heap.realloc)
    inst = d.ComponentInstance(d.Store())
    return d.LiftLowerContext(opts, inst)


def flat_js(values, types):
    out = []
    for v, ft in zip(values, types):
        if ft in ("i32", "i64"):
            out.append(str(v))
        else:
            out.append(js_float(v))
    return out


def try_js(f, t):
    try:
        return {"ok": to_js(f(), t)}
    except d.Trap:
        return "trap"


def main():
    seed, count = int(sys.argv[2]), int(sys.argv[3])
    rng = random.Random(seed)
    for case in range(count):
        t, tj = gen_type(rng, rng.choice([1, 2, 3]))
        enc = rng.choice(["utf8", "utf8", "utf16", "latin1+utf16"])
        src = rng.choice(["utf16", "utf16", "utf8", "latin1+utf16"])
        v = gen_value(rng, t, src)
        out = {"case": case, "type": tj, "encoding": enc, "source": src, "value": to_js(v, t)}
        opts = d.CanonicalOptions(string_encoding=enc, memory=d.MemInst(bytearray(1), "i32"))
        out["align"] = d.alignment(t, "i32")
        out["size"] = d.elem_size(t, "i32")
        flat_types = d.flatten_type(t, opts)
        out["flatTypes"] = flat_types

        ptr = STORE_PTR
        heap = Heap()
        heap.bump = max(BUMP_START, ptr + out["size"] + 16)
        out["bumpStart"] = heap.bump
        cx = context(heap, enc)
        d.store(cx, v, t, ptr)
        out["store"] = {"mem": heap.report(), "log": heap.log}

        # Loads of the stored memory, then of mutated copies.
        loads = [{"mem": heap.report(), "result": try_js(lambda: d.load(context(heap, enc), ptr, t), t)}]
        for _ in range(3):
            h2 = Heap(heap.mem.bytes)
            h2.bump = heap.bump
            at = rng.randrange(ptr, max(ptr + 1, heap.bump)) if rng.random() < 0.5 else rng.randrange(ptr, ptr + out["size"])
            h2.mem.bytes[at] = rng.choice([0, 1, 2, 0x80, 0xff, 0xd8, rng.randrange(256)])
            loads.append({"mem": h2.mem.bytes[:h2.bump].hex(),
                          "result": try_js(lambda: d.load(context(h2, enc), ptr, t), t)})
        out["loads"] = loads

        heap = Heap()
        cx = context(heap, enc)
        flat = d.lower_flat(cx, v, t)
        out["flat"] = {"values": flat_js(flat, flat_types), "mem": heap.report(), "log": heap.log}
        heap.mem.bytes[:heap.bump] = bytes.fromhex(out["flat"]["mem"])
        lifts = [{"values": flat_js(flat, flat_types), "result": try_js(lambda: d.lift_flat(context(heap, enc), d.CoreValueIter(flat), t), t)}]
        for _ in range(2):
            f2 = list(flat)
            if not f2:
                break
            i = rng.randrange(len(f2))
            if flat_types[i] == "i32":
                f2[i] = rng.choice([0, 1, 2, 3, 0xd800, 0x110000, 0xffffffff, rng.randrange(2**32)])
            elif flat_types[i] == "i64":
                f2[i] = rng.choice([0, 1, 2**32 + 5, 2**64 - 1])
            else:
                continue
            lifts.append({"values": flat_js(f2, flat_types),
                          "result": try_js(lambda: d.lift_flat(context(heap, enc), d.CoreValueIter(f2), t), t)})
        out["lifts"] = lifts
        print(json.dumps(out))


main()

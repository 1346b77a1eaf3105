#!/usr/bin/env python3
"""Finds import circles between the modules (files) of a Rust crate.

Every `crate::`, `super::` and `self::` path in a file (in `use` items, brace groups expanded,
and inline in code) is resolved to the file that defines the module it names; a circle is a set
of files that reach each other through such paths (a strongly connected component of more than
one file). Unit-test modules (`#[cfg(test)] mod tests`) are left out: they are not part of the
module graph the program is built from. Usage: import-cycles.py CRATE_SRC_DIR [--quiet]
Exits 1 when there is a circle.
"""
import os
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip_literals(text):
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r'r(#+)".*?"\1', '""', text, flags=re.S)
    text = re.sub(r'b?"(?:\\.|[^"\\])*"', '""', text, flags=re.S)
    text = re.sub(r"'(?:\\.|[^'\\])'", "' '", text)
    return text


def module_of(path, root):
    rel = os.path.relpath(path, root)[:-3].split(os.sep)
    if rel[-1] in ("lib", "main") and len(rel) == 1:
        return ()
    if rel[-1] == "mod":
        rel = rel[:-1]
    return tuple(rel)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']"""
    tree = tree.replace(" ", "").replace("\n", "")
    out = []

    def walk(prefix, s):
        i = s.find("{")
        if i < 0:
            for part in split_top(s):
                part = re.sub(r"as" + IDENT + "$", "", part) if "as" in part and False else part
                out.append(prefix + part)
            return
        head = s[:i]
        depth, j = 0, i
        for j in range(i, len(s)):
            if s[j] == "{":
                depth += 1
            elif s[j] == "}":
                depth -= 1
                if depth == 0:
                    break
        for part in split_top(s[i + 1 : j]):
            walk(prefix + head, part)

    def split_top(s):
        parts, depth, cur = [], 0, ""
        for ch in s:
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            if ch == "," and depth == 0:
                parts.append(cur)
                cur = ""
            else:
                cur += ch
        if cur:
            parts.append(cur)
        return [p for p in parts if p]

    walk("", tree)
    return out


def drop_test_modules(text):
    out, i = [], 0
    pattern = re.compile(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+" + IDENT + r"\s*\{")
    while True:
        m = pattern.search(text, i)
        if not m:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i : m.start()])
        depth, j = 0, m.end() - 1
        while j < len(text):
            if text[j] == "{":
                depth += 1
            elif text[j] == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        i = j + 1


def paths_in(text, module, is_mod_file):
    """(absolute module path tuple) for every path in the file, resolved against inline modules."""
    found = []
    # Track inline `mod name {` blocks so `super::` inside them resolves correctly.
    stack = []  # (name, depth at open)
    depth = 0
    tokens = re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{|\{|\}|\buse\s+([^;]+);|\b((?:crate|super|self)(?:::" + IDENT + r")+)", text)
    base = list(module)
    for t in tokens:
        s = t.group(0)
        if t.group(1):
            depth += 1
            stack.append((t.group(1), depth))
            continue
        if s == "{":
            depth += 1
            continue
        if s == "}":
            if stack and stack[-1][1] == depth:
                stack.pop()
            depth -= 1
            continue
        here = base + [name for name, _ in stack]
        raw = expand_use(t.group(2)) if t.group(2) else [t.group(3)]
        for p in raw:
            segs = [x for x in p.split("::") if x]
            segs = [re.sub(r"as" + IDENT + "$", "", x) if False else x for x in segs]
            if not segs:
                continue
            if segs[0] == "crate":
                found.append(tuple(segs[1:]))
            elif segs[0] in ("super", "self"):
                cur = list(here)
                k = 0
                while k < len(segs) and segs[k] in ("super", "self"):
                    if segs[k] == "super" and cur:
                        cur.pop()
                    k += 1
                found.append(tuple(cur + segs[k:]))
    return found


def main():
    root = sys.argv[1]
    quiet = "--quiet" in sys.argv
    files = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            if n.endswith(".rs"):
                p = os.path.join(dirpath, n)
                files[module_of(p, root)] = p
    edges = {m: set() for m in files}
    for m, p in files.items():
        with open(p, encoding="utf-8") as f:
            text = drop_test_modules(strip_literals(f.read()))
        for path in paths_in(text, m, p.endswith("mod.rs")):
            # The longest prefix that is a file module.
            for k in range(len(path), -1, -1):
                target = path[:k]
                if target in files:
                    if target != m and not (m[: len(target)] == target and False):
                        edges[m].add(target)
                    break
    # Tarjan's strongly connected components.
    index, low, on, st, sccs, counter = {}, {}, set(), [], [], [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        st.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = st.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(comp)

    for v in sorted(edges):
        if v not in index:
            visit(v)
    name = lambda m: "::".join(m) or "(crate root)"
    for comp in sccs:
        comp_set = set(comp)
        print(f"circle of {len(comp)} modules: " + ", ".join(sorted(name(m) for m in comp)))
        if not quiet:
            for m in sorted(comp):
                inner = sorted(name(t) for t in edges[m] if t in comp_set)
                print(f"    {name(m)} -> {', '.join(inner)}")
    print(f"{len(files)} modules, {sum(len(e) for e in edges.values())} imports, {len(sccs)} circles")
    sys.exit(1 if sccs else 0)


main()

#!/bin/sh
# core-modules.sh - the core's modules depend on one another one way only.
#
# A module is one file of src/core; it depends on another when its object
# calls a function (or reads data) the other defines, as nm shows the
# built objects.  A cycle (walk -> index -> copyup -> walk, as there once
# was) means a function lives in a file its name does not say; the test
# names each cycle with the functions that make its edges.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd nm python3
plan 2
objs=$top/build/src/core

python3 - "$objs" >"$tmp/out" 2>&1 <<'EOF' || true
import collections, glob, os, subprocess, sys

objs = sys.argv[1]
defs, uses = {}, collections.defaultdict(set)
mods = sorted(os.path.basename(f)[:-2] for f in glob.glob(os.path.join(objs, "*.o")))
for m in mods:
    out = subprocess.run(["nm", os.path.join(objs, m + ".o")], capture_output=True,
                         text=True, check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in "TDBRC":
            defs[p[2]] = m
        elif len(p) == 2 and p[0] == "U":
            uses[m].add(p[1])
edges = {m: {defs[s] for s in uses[m] if defs.get(s, m) != m} for m in mods}
print("modules", len(mods), "edges", sum(len(e) for e in edges.values()))

# Tarjan's strongly connected components, without recursion.
index, low, stack, on, comps, counter = {}, {}, [], set(), [], 0
for root in mods:
    if root in index:
        continue
    work = [(root, iter(sorted(edges[root])))]
    index[root] = low[root] = counter
    counter += 1
    stack.append(root)
    on.add(root)
    while work:
        v, it = work[-1]
        nxt = next(it, None)
        if nxt is not None:
            if nxt not in index:
                index[nxt] = low[nxt] = counter
                counter += 1
                stack.append(nxt)
                on.add(nxt)
                work.append((nxt, iter(sorted(edges[nxt]))))
            elif nxt in on:
                low[v] = min(low[v], index[nxt])
            continue
        work.pop()
        if work:
            low[work[-1][0]] = min(low[work[-1][0]], low[v])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            comps.append(comp)
for comp in comps:
    if len(comp) < 2:
        continue
    print("cycle among", " ".join(sorted(comp)))
    for m in sorted(comp):
        for d in sorted(edges[m] & set(comp)):
            syms = sorted(s for s in uses[m] if defs.get(s) == d)
            print("  %s -> %s: %s" % (m, d, " ".join(syms)))
EOF

# A graph too small to hold a cycle proves nothing: the walk alone uses
# the directory cache, the namespace and the rules of openat2.
counts=$(head -n 1 "$tmp/out")
mods=$(echo "$counts" | awk '$1 == "modules" {print $2}')
nedges=$(echo "$counts" | awk '$1 == "modules" {print $4}')
if [ "${mods:-0}" -ge 20 ] && [ "${nedges:-0}" -ge 60 ]; then
	ok "the core's objects give a dependency graph ($mods modules, $nedges edges)"
else
	not_ok "the core's objects give a dependency graph (want >= 20 modules, >= 60 edges)" "$tmp/out"
fi

grep -v '^modules ' "$tmp/out" >"$tmp/cycles" || true
if [ -s "$tmp/cycles" ]; then
	not_ok "no module of the core depends on itself through others" "$tmp/cycles"
else
	ok "no module of the core depends on itself through others"
fi
done_testing

#!/bin/sh
# library-abi.sh - libvroot.so exports exactly the calls doc/libvroot.abi
# lists, each declared VR_API in vroot.h; its soname carries VR_ABI, and
# vr_version() answers the header's VR_VERSION.  A call added or removed
# fails here until the list (and, for a removal or a change, VR_ABI) is
# updated.
set -eu
. "$(dirname "$0")/lib.sh"
need_cmd nm readelf cc
plan 4
so=$top/build/libvroot.so

nm -D --defined-only "$so" | awk '$2 == "T" {print $3}' | sort >"$tmp/exported"
is_file "the exported calls are those doc/libvroot.abi lists (update it, and VR_ABI on a removal)" \
	"$top/doc/libvroot.abi" "$tmp/exported"

missing=
for f in $(cat "$tmp/exported"); do
	grep -q "^VR_API .*[ *]$f(" "$top/include/vroot.h" || missing="$missing $f"
done
is "each exported call is declared VR_API in vroot.h" "" "$missing"

abi=$(sed -n 's/^#define VR_ABI \([0-9]*\)/\1/p' "$top/include/vroot.h")
is "the soname carries VR_ABI" "libvroot.so.$abi" \
	"$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"

cat >"$tmp/v.c" <<'EOC'
#include <stdio.h>
#include "vroot.h"
int main(void) { printf("%s %s\n", VR_VERSION, vr_version()); return 0; }
EOC
# Found by its soname, as an installed program finds it.
mkdir "$tmp/lib"
cp "$so" "$tmp/lib/libvroot.so.$abi"
cc -I"$top/include" -o "$tmp/v" "$tmp/v.c" "$tmp/lib/libvroot.so.$abi" -Wl,-rpath,"$tmp/lib"
out=$("$tmp/v" 2>&1 || true)
want=$(sed -n 's/^#define VR_VERSION "\(.*\)"/\1/p' "$top/include/vroot.h")
is "vr_version() is the header's VR_VERSION" "$want $want" "$out"
done_testing

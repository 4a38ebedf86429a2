#!/bin/sh
# through-vroot.sh - the loader's programs again, through `vroot run` with a
# namespace over the host root: they must still behave as natively.
exec env VROOT_RUN=1 sh "$(dirname "$0")/passthrough.sh"

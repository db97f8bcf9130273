# shellcheck shell=bash
# Sourced by bin/setup and bin/lock (which define die): the installer and where torch's CPU build comes from.

TORCH_INDEX=https://download.pytorch.org/whl/cpu
TORCH_INDEX_LINE="--extra-index-url $TORCH_INDEX"
# PyTorch's index also serves numpy, jinja2 and others, in fewer versions. uv's default takes a package only
# from the first index that has it; the locks mean pip's rule (the pinned version from any index), and
# their hashes keep what is installed the locked file.
UV_INDEX_STRATEGY=unsafe-best-match
export UV_INDEX_STRATEGY

# uv_bootstrap PYTHON: .venv-tools/bin/uv, installed by pip from requirements/tools.lock (hashes
# required, wheels only) when that lock changed. Prints the path of uv.
uv_bootstrap() {
  local python=$1 dir=.venv-tools lock=requirements/tools.lock want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  if [ ! -f "$dir/.lock.sha256" ] || [ "$(cat "$dir/.lock.sha256")" != "$want" ]; then
    [ -x "$dir/bin/python" ] || "$python" -m venv "$dir"
    # This machine's pip config may name local mirrors; their "Location … is ignored" lines are noise.
    "$dir/bin/python" -m pip install --quiet --disable-pip-version-check --require-hashes --only-binary :all: \
      -r "$lock" 2> >(grep -v "is ignored" >&2) >&2
    echo "$want" > "$dir/.lock.sha256"
  fi
  echo "$dir/bin/uv"
}

# torch_wheels PYTHON: nothing when PyTorch's CPU index answers; otherwise where its wheels are mirrored:
# TORCH_WHEELS (a directory or a find-links page) if set, else pip's own find-links setting.
torch_wheels() {
  local python=$1 links
  if [ -n "${TORCH_WHEELS:-}" ]; then echo "$TORCH_WHEELS"; return; fi
  "$python" - "$TORCH_INDEX/torch/" <<'PY' 2>/dev/null && return
import sys, urllib.request
urllib.request.urlopen(urllib.request.Request(sys.argv[1], method="HEAD"), timeout=5)
PY
  links=${PIP_FIND_LINKS:-$("$python" -m pip config get global.find-links 2>/dev/null || true)}
  [ -n "$links" ] || die "PyTorch's CPU index ($TORCH_INDEX) cannot be reached: set TORCH_WHEELS to a directory holding its torch wheels (the hashes in requirements/app.lock check them)"
  echo "$(basename "$0"): PyTorch's CPU index cannot be reached; torch from $links (TORCH_WHEELS)" >&2
  echo "$links"
}

# use_torch_wheels WHEELS FILE...: rewrites PyTorch's index line in the FILEs into --find-links lines
# for WHEELS (space-separated), in place; uv stops at an index it cannot reach, pip retries it per package.
use_torch_wheels() {
  local wheels=$1 lines="" link; shift
  for link in $wheels; do lines+="--find-links $link\n"; done
  sed -i "s|^$TORCH_INDEX_LINE\$|${lines%\\n}|" "$@"
}

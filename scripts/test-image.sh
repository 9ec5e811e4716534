#!/usr/bin/env bash
# Builds Wren's image from the real Dockerfile and tests it, on a machine that reaches no container
# registry: the base images the Dockerfile names cannot be pulled, so stand-ins are made here from
# Debian's packages (mmdebstrap) and this machine's Node 20, then passed as build arguments:
#   - build stage:   Debian bookworm (dash, coreutils, findutils) + node and npm in /usr/local,
#                    laid out as the official node:20-bookworm-slim image;
#   - runtime stage: glibc and libstdc++ only, node at /nodejs/bin/node, user 65532, no shell and
#                    no package manager, laid out as gcr.io/distroless/nodejs20-debian12:nonroot.
# Then test/image/*.test.ts runs the image with podman + runc: --version, `check` of the shipped
# configs, a real pipeline (tail on a mounted folder of CRI logs -> http to a loopback sink),
# SIGTERM flush, read-only root filesystem, users and capabilities. Everything the containers
# contact is loopback (--network host); the build's `npm ci` is the one fetch from outside.
#
# Needs root and Debian's podman, runc and mmdebstrap (it says so and fails when one is missing).
# Env: WREN_IMAGE_TEST_DIR (work folder and cache, default /var/tmp/wren-image-test),
#      WREN_IMAGE (tag to build, default localhost/wren:test).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
WORK=${WREN_IMAGE_TEST_DIR:-/var/tmp/wren-image-test}
IMAGE=${WREN_IMAGE:-localhost/wren:test}
start=$SECONDS
say() { printf 'test-image: %s\n' "$*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is missing: apt-get install $2"; }
need podman podman
need runc runc
need mmdebstrap mmdebstrap
need node nodejs
[ "$(id -u)" = 0 ] || fail "run as root (podman with runc and the cgroupfs manager, mmdebstrap)"
NODE_BIN=$(readlink -f "$(command -v node)")
case "$("$NODE_BIN" --version)" in v20.*) ;; *) fail "the stand-in base needs Node 20, this machine has $("$NODE_BIN" --version)";; esac
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
[ -f "$NPM_DIR/package.json" ] || fail "cannot find npm's folder (got $NPM_DIR)"
# Stand-ins are tagged by what goes into them, so an unchanged machine reuses them (and podman's
# layer cache for the Dockerfile's npm ci step).
STAMP=$( { sha256sum "$NODE_BIN" "$0"; node -p 'require(process.argv[1]).version' "$NPM_DIR/package.json"; } | sha256sum | cut -c1-12)
STANDIN_BUILD=localhost/wren-standin/node20-build:$STAMP
STANDIN_RUNTIME=localhost/wren-standin/node20-distroless:$STAMP

mkdir -p "$WORK/cache"
# crun fails on this VM's cgroups; runc works with these settings.
cat > "$WORK/containers.conf" <<'EOF'
[containers]
default_ulimits = []
pids_limit = 0
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
export CONTAINERS_CONF="$WORK/containers.conf"
PODMAN=(podman --root "$WORK/storage" --runroot "$WORK/run" --runtime runc --cgroup-manager cgroupfs)

# 1. Debian roots for the stand-ins, cached (the recipe is in the file name).
debian_root() { # NAME PACKAGES
  local out="$WORK/cache/$1.tar"
  [ -s "$out" ] && return 0
  mmdebstrap --quiet --variant=extract --include="$2" --format=tar bookworm "$out.part" && mv "$out.part" "$out"
}
t=$SECONDS
debian_root bookworm-build-v1 dash,coreutils,findutils,libc6,libgcc-s1,libstdc++6 & p1=$!
debian_root bookworm-runtime-v1 libc6,libgcc-s1,libstdc++6 & p2=$!
wait $p1 || fail "mmdebstrap (build root)"
wait $p2 || fail "mmdebstrap (runtime root)"
say "debian roots ready ($((SECONDS - t)) s)"

# 2. Stand-in base images.
t=$SECONDS
import_root() { # TAR IMAGE LAYOUT
  local dir; dir=$(mktemp -d "$WORK/root.XXXXXX")
  tar -xf "$1" -C "$dir"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$dir/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$dir/etc/group"
  mkdir -p "$dir/tmp" "$dir/home/nonroot" && chmod 1777 "$dir/tmp" && chown 65532:65532 "$dir/home/nonroot"
  local changes=()
  if [ "$3" = build ]; then
    install -D -m 0755 "$NODE_BIN" "$dir/usr/local/bin/node"
    mkdir -p "$dir/usr/local/lib/node_modules" && cp -a "$NPM_DIR" "$dir/usr/local/lib/node_modules/npm"
    ln -s ../lib/node_modules/npm/bin/npm-cli.js "$dir/usr/local/bin/npm"
    ln -s ../lib/node_modules/npm/bin/npx-cli.js "$dir/usr/local/bin/npx"
    changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]')
    # This machine reaches the npm registry through an egress proxy whose CA is in its own trust
    # store (NODE_EXTRA_CA_CERTS); the build stage's npm needs it too. Only the build stand-in
    # gets it: nothing of the build stage's base reaches the image.
    if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -f "$NODE_EXTRA_CA_CERTS" ]; then
      install -D -m 0644 "$NODE_EXTRA_CA_CERTS" "$dir/etc/ssl/certs/build-extra-ca.pem"
      changes+=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/build-extra-ca.pem')
    fi
  else
    install -D -m 0755 "$NODE_BIN" "$dir/nodejs/bin/node"
    rm -rf "$dir/var/lib/dpkg" "$dir/var/cache/apt" "$dir/var/lib/apt" "$dir/usr/share/doc" "$dir/usr/share/man"
    [ ! -e "$dir/bin/sh" ] && [ ! -e "$dir/usr/bin/sh" ] || fail "the runtime stand-in must have no shell"
    changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
      --change 'USER 65532' --change 'WORKDIR /home/nonroot' --change 'ENTRYPOINT ["/nodejs/bin/node"]')
  fi
  tar -C "$dir" -c . | "${PODMAN[@]}" import --quiet "${changes[@]}" - "$2" >/dev/null
  rm -rf "$dir"
}
"${PODMAN[@]}" image exists "$STANDIN_BUILD" || import_root "$WORK/cache/bookworm-build-v1.tar" "$STANDIN_BUILD" build
"${PODMAN[@]}" image exists "$STANDIN_RUNTIME" || import_root "$WORK/cache/bookworm-runtime-v1.tar" "$STANDIN_RUNTIME" runtime
# older stand-ins (another Node, an older recipe) and dangling layers of earlier builds go
"${PODMAN[@]}" images --format '{{.Repository}}:{{.Tag}}' | grep '^localhost/wren-standin/' | grep -v ":$STAMP\$" \
  | xargs -r "${PODMAN[@]}" rmi --force >/dev/null 2>&1 || true
say "stand-in base images ready ($((SECONDS - t)) s)"

# 3. The real Dockerfile, base images as build arguments.
t=$SECONDS
"${PODMAN[@]}" build --network host --pull=never --layers \
  --build-arg BUILD_IMAGE="$STANDIN_BUILD" --build-arg RUNTIME_IMAGE="$STANDIN_RUNTIME" \
  --build-arg REVISION="$(git rev-parse HEAD 2>/dev/null || echo unknown)" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
  -t "$IMAGE" -f Dockerfile . >"$WORK/build.log" 2>&1 || { tail -40 "$WORK/build.log" >&2; fail "podman build (log: $WORK/build.log)"; }
say "image built: $IMAGE ($((SECONDS - t)) s)"
# dangling layers of earlier builds go after a day; younger ones are the next build's cache
"${PODMAN[@]}" image prune --force --filter until=24h >/dev/null 2>&1 || true

# 4. Size and what takes it (files of the flattened image, by top-level area).
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
cid=$("${PODMAN[@]}" create "$IMAGE")
"${PODMAN[@]}" export "$cid" | tar -tv --numeric-owner -f - | node "$ROOT/scripts/image-size-breakdown.mjs" "$size"
"${PODMAN[@]}" rm "$cid" >/dev/null

# 5. Run it.
t=$SECONDS
[ -x node_modules/.bin/vitest ] || fail "run npm ci first (the checks are vitest tests)"
WREN_TEST_IMAGE="$IMAGE" WREN_TEST_PODMAN="$(printf '%s\n' "${PODMAN[@]}")" CONTAINERS_CONF="$CONTAINERS_CONF" \
  npx vitest run test/image
say "image checks passed ($((SECONDS - t)) s); total $((SECONDS - start)) s"

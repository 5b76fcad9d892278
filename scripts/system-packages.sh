#!/usr/bin/env bash
# The Debian packages the test suite drives: headless Chromium (public pages), nginx (config check,
# static output), wrk (bench/load.py) and CJK fonts for screenshots. Installs them when run as root,
# else says how.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx)
command -v wrk >/dev/null || need+=(wrk)
fc-list 2>/dev/null | grep -qi "noto.*cjk" || need+=(fonts-noto-cjk)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "The test suite needs these Debian packages: ${need[*]}" >&2
    echo "Install them with: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "      安装系统软件包：${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
# axe-core for the accessibility browser tests, at the version pinned in tests/browser/node/
# (package-lock.json), into the git-ignored var/node/.
root="$(cd "$(dirname "$0")/.." && pwd)"
if ! cmp -s "$root/tests/browser/node/package-lock.json" "$root/var/node/package-lock.json" \
  || [ ! -f "$root/var/node/node_modules/axe-core/axe.min.js" ]; then
  echo "      安装 axe-core（无障碍检测，tests/browser/node/package-lock.json）"
  mkdir -p "$root/var/node"
  cp "$root/tests/browser/node/package.json" "$root/tests/browser/node/package-lock.json" "$root/var/node/"
  npm ci --prefix "$root/var/node" --no-audit --no-fund --loglevel=error >/dev/null
fi
# oidc-provider: the OpenID provider the OIDC login tests and the demo run on loopback
# (scripts/oidc-provider/), at the version pinned there, into its own folder (npm ci empties node_modules).
if ! cmp -s "$root/scripts/oidc-provider/package-lock.json" "$root/var/node/oidc-provider/package-lock.json" \
  || [ ! -f "$root/var/node/oidc-provider/node_modules/oidc-provider/lib/index.js" ]; then
  echo "      安装 oidc-provider（统一身份认证测试与演示，scripts/oidc-provider/package-lock.json）"
  mkdir -p "$root/var/node/oidc-provider"
  cp "$root/scripts/oidc-provider/package.json" "$root/scripts/oidc-provider/package-lock.json" "$root/var/node/oidc-provider/"
  npm ci --prefix "$root/var/node/oidc-provider" --no-audit --no-fund --loglevel=error >/dev/null
fi

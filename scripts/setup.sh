# Sourced by the scripts: installs the Debian packages libami needs, only when one is missing.
set -euo pipefail

AMI_PACKAGES=(g++ clang libclang-rt-14-dev cmake ninja-build pkg-config libabsl-dev
              libprotobuf-dev protobuf-compiler libgtest-dev libgmock-dev libbenchmark-dev
              nlohmann-json3-dev)
# Optional: only scripts/coverage needs these (ami_install_missing "${AMI_COVERAGE_PACKAGES[@]}").
AMI_COVERAGE_PACKAGES=(gcovr)
# Optional: only scripts/check_html_report needs these (headless rendering of the audit's HTML
# report); scripts/test installs them.
AMI_HTML_CHECK_PACKAGES=(chromium)

ami_install_missing() {
  local missing=()
  for pkg in "${AMI_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$pkg")
    fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  echo "Installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Configures and builds one preset.
ami_build() {
  local preset="$1"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
}

AMI_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$AMI_ROOT"

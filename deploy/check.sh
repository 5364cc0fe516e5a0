#!/usr/bin/env bash
# Checks deploy/: shellcheck on every shell script (scripts/*.sh too), a syntax check of
# kiosk-devtools.py, and `systemd-analyze verify` on every unit. Exits non-zero when one fails.
# Run from anywhere; `make check` (so `make test` and CI) runs it.
#
# The units name paths that exist only on an installed kiosk (/opt/kiosk/.venv/bin/...,
# /usr/bin/cage), and verify fails on a missing executable. So they are verified inside a
# scratch root (--root): this machine's own units (for the targets they refer to), these
# units, and a stand-in for every executable they start. Stand-ins for deploy/ scripts are
# made only when the script is here and executable; the others are listed. verify prints
# warnings (an unknown key, say) with exit status 0, so any output counts as a failure.
# Without systemd-analyze (not a systemd machine) the units are not verified, and it says so;
# without shellcheck it fails (scripts/test-services.sh installs it).
set -euo pipefail

deploy=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd -P)
failed=0

fail() {
    printf 'FAIL: %s\n' "$*" >&2
    failed=1
}

check_scripts() {
    local scripts=("$deploy"/*.sh "$deploy"/../scripts/*.sh)
    if ! command -v shellcheck >/dev/null; then
        fail "shellcheck is not installed (apt-get install shellcheck)."
    elif shellcheck --external-sources -- "${scripts[@]}"; then
        echo "shellcheck: ${#scripts[@]} scripts pass."
    else
        fail "shellcheck (above)."
    fi
    if python3 -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' \
        "$deploy/kiosk-devtools.py"; then
        echo "python3: kiosk-devtools.py parses."
    else
        fail "kiosk-devtools.py does not parse (above)."
    fi
}

# The executables a unit starts: the first word of each Exec*= line, without the prefixes
# (-, @, +, !, :) that change how systemd runs it.
unit_executables() {
    sed -n 's/^Exec[A-Za-z]*=[[:space:]]*//p' "$1" | awk '{print $1}' | sed 's/^[-@+!:]*//'
}

check_units() {
    if ! command -v systemd-analyze >/dev/null; then
        echo "systemd-analyze: not installed here; the units were not verified."
        return 0
    fi
    local root units=() unit executable name output status=0
    local -A seen=()
    root=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: $root is local
    trap "rm -rf -- '$root'" EXIT
    mkdir -p "$root/usr/lib/systemd" "$root/etc/systemd/system"
    for name in /usr/lib/systemd/system /lib/systemd/system; do
        if [[ -d $name ]]; then
            cp -a "$name" "$root/usr/lib/systemd/"
            break
        fi
    done
    for unit in "$deploy"/*.service "$deploy"/*.timer; do
        units+=("$(basename -- "$unit")")
        cp "$unit" "$root/etc/systemd/system/"
        while read -r executable; do
            [[ $executable == /* && -z ${seen[$executable]:-} ]] || continue
            seen[$executable]=1
            case $executable in
                /opt/kiosk/deploy/*)
                    name=${executable#/opt/kiosk/deploy/}
                    if [[ ! -x $deploy/$name ]]; then
                        fail "$(basename -- "$unit") starts $executable, but deploy/$name is" \
                            "missing or not executable."
                        continue
                    fi
                    ;;
                /opt/kiosk/.venv/*)
                    echo "  stand-in: $executable (setup-kiosk.sh makes it with pip)"
                    ;;
                *)
                    if [[ ! -x $executable ]]; then
                        echo "  stand-in: $executable (not installed on this machine)"
                    fi
                    ;;
            esac
            mkdir -p "$root$(dirname -- "$executable")"
            printf '#!/bin/sh\n' >"$root$executable"
            chmod +x "$root$executable"
        done < <(unit_executables "$unit")
    done
    output=$(cd "$root" && systemd-analyze verify --root="$root" --man=no "${units[@]}" 2>&1) ||
        status=$?
    if ((status != 0)) || [[ -n $output ]]; then
        printf '%s\n' "$output" >&2
        fail "systemd-analyze verify (exit status $status, output above)."
    else
        echo "systemd-analyze verify: ${#units[@]} units pass (${units[*]})."
    fi
}

check_scripts
check_units
exit "$failed"

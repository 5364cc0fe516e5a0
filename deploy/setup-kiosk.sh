#!/usr/bin/env bash
# Set up this machine as a kiosk node: the app on its own SQLite database under gunicorn, the
# answers sent to central every minute, Chromium full screen on the touch screen, a watchdog.
# For Raspberry Pi OS (bookworm, 64-bit) and Debian 12. Run as root from a checkout:
#
#   sudo deploy/setup-kiosk.sh --place CODE [--enrol LINK]
#
# Safe to run again, which is also how the kiosk is updated (after a `git pull` in the
# checkout; --place may then be left out): it keeps the database, /etc/kiosk/kiosk.env and the
# enrolment. What it does and why: deploy/raspberry-pi.md.
set -euo pipefail

readonly APP_DIR=/opt/kiosk
readonly ETC_DIR=/etc/kiosk
readonly ENV_FILE=$ETC_DIR/kiosk.env
readonly UNIT_DIR=/etc/systemd/system
readonly APP_USER=kiosk
readonly SCREEN_USER=kiosk-browser
readonly UNITS=(
    kiosk.service
    kiosk-sync.service kiosk-sync.timer
    kiosk-browser.service
    kiosk-browser-restart.service kiosk-browser-restart.timer
    kiosk-watchdog.service kiosk-watchdog.timer
    kiosk-retention.service kiosk-retention.timer
)
readonly SCRIPTS=(
    deploy/kiosk-browser.sh deploy/kiosk-watchdog.sh deploy/kiosk-devtools.py deploy/kiosk-cli.sh
)
SOURCE_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
readonly SOURCE_DIR

place=""
central=""
enrol=""
state_dir=/var/lib/kiosk

say() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

usage() {
    cat <<EOF
Usage: sudo $0 --place CODE [--enrol LINK | --enrol CODE --central URL] [--state-dir DIR]

Sets up this Raspberry Pi (Raspberry Pi OS bookworm, 64-bit) or Debian 12 machine as a
kiosk node. Safe to run again; that is also how the kiosk is updated.

  --place CODE      the code of the place the kiosk stands at; the screen shows /k/CODE
                    (kept in $ENV_FILE as KIOSK_PLACE; required the first time)
  --enrol LINK      the enrolment link from central's staff area (Kioske), e.g.
                    'https://beteiligung.example.org/enrol#abc...' (quote it: it has a #)
  --enrol CODE --central URL
                    the same as the bare code and central's address
  --state-dir DIR   where the database, secret key and enrolment live
                    (default $state_dir; must be on persistent storage)
  -h, --help        this text
EOF
}

parse_args() {
    while (($# > 0)); do
        case $1 in
            --place | --central | --enrol | --state-dir)
                (($# >= 2)) || die "$1 needs a value (see --help)."
                case $1 in
                    --place) place=$2 ;;
                    --central) central=$2 ;;
                    --enrol) enrol=$2 ;;
                    --state-dir) state_dir=$2 ;;
                esac
                shift 2
                ;;
            --place=*) place=${1#*=} && shift ;;
            --central=*) central=${1#*=} && shift ;;
            --enrol=*) enrol=${1#*=} && shift ;;
            --state-dir=*) state_dir=${1#*=} && shift ;;
            -h | --help) usage && exit 0 ;;
            *) die "Unknown argument: $1 (see --help)." ;;
        esac
    done
    if [[ -n $central && ! $central =~ ^https?://[^[:space:]]+$ ]]; then
        die "--central must be an address like https://beteiligung.example.org, not '$central'."
    fi
    if [[ -n $enrol && $enrol != *"/enrol#"* && -z $central ]]; then
        die "'$enrol' is not an enrolment link. Give the whole link (quoted), or the code" \
            "with --central URL."
    fi
    if [[ -n $central && -z $enrol ]]; then
        die "--central is only needed with --enrol CODE (the code from central's staff area)."
    fi
    [[ $state_dir == /* ]] || die "--state-dir must be an absolute path, not '$state_dir'."
    state_dir=${state_dir%/}
}

# The place: as given, else (an update) the one in the settings file. Needs root to read it.
settle_place() {
    if [[ -z $place && -r $ENV_FILE ]]; then
        place=$(env_value KIOSK_PLACE)
    fi
    [[ -n $place ]] || die "--place CODE is required: the code of the place this kiosk stands" \
        "at; its page is /k/CODE, as the place's QR link is /q/CODE."
    place=${place,,}
    [[ $place =~ ^[a-z0-9][a-z0-9._-]{1,31}$ ]] ||
        die "'$place' is not a place code: 2 to 32 characters, a-z, 0-9, '.', '_' and '-'."
}

# The nearest existing directory at or above $1 (findmnt needs a path that exists).
existing_parent() {
    local path=$1
    while [[ ! -e $path ]]; do
        path=$(dirname -- "$path")
    done
    printf '%s\n' "$path"
}

# Refuse a place that forgets what is written to it at the next boot: a RAM disk, the
# overlay of Raspberry Pi OS's "overlay file system", a compressed RAM block device.
require_persistent() {
    local path=$1 what=$2 target fstype source
    target=$(existing_parent "$path")
    # The last line: where mounts are stacked on one another, the top one is what is seen.
    read -r fstype source < <(findmnt --noheadings --output FSTYPE,SOURCE --target "$target" |
        tail -n 1)
    case $fstype in
        tmpfs | ramfs | overlay | squashfs)
            die "$path ($what) would be on $fstype, which loses what is written to it at" \
                "the next boot (or is read-only). On Raspberry Pi OS, turn the overlay file" \
                "system off (sudo raspi-config: Performance Options, Overlay File System)," \
                "or give --state-dir on a persistent partition."
            ;;
    esac
    if [[ $source == /dev/zram* ]]; then
        die "$path ($what) would be on $source, a RAM disk: it loses everything at the next boot."
    fi
}

check_system() {
    ((EUID == 0)) || die "Run it as root: sudo $0 ..."
    settle_place
    [[ -d /run/systemd/system ]] || die "systemd is not running here; the kiosk needs it."
    local file codename arch
    for file in pyproject.toml constraints.txt wsgi.py deploy/kiosk.service "${SCRIPTS[@]}"; do
        [[ -f $SOURCE_DIR/$file ]] ||
            die "Run this script from a checkout of the project ($SOURCE_DIR has no $file)."
    done
    codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release)
    if [[ $codename != bookworm ]]; then
        warn "This is '${codename:-an unknown system}', not Debian 12 or Raspberry Pi OS" \
            "bookworm, which this script was written for. Going on."
    fi
    arch=$(dpkg --print-architecture)
    case $arch in
        arm64 | amd64) ;;
        *)
            die "This is a $arch system. The app needs a 64-bit one (arm64 or amd64): two of" \
                "its libraries (psycopg-binary, Pillow) publish no 32-bit ARM builds. Flash" \
                "'Raspberry Pi OS (64-bit)' (a Raspberry Pi 3, 4 or 5 runs it)."
            ;;
    esac
    require_persistent / "the app, its settings and its services"
    require_persistent "$state_dir" "the database and the enrolment"
}

# The Chromium package: the one installed, else the one the apt sources offer. Raspberry Pi
# OS has called its build chromium-browser (later only a transitional name for chromium);
# Debian 12 has chromium only.
chromium_package() {
    local name candidate
    for name in chromium-browser chromium; do
        if [[ $(dpkg-query --show --showformat='${Status}' "$name" 2>/dev/null) == *" installed" ]]
        then
            printf '%s\n' "$name"
            return 0
        fi
    done
    for name in chromium-browser chromium; do
        candidate=$(apt-cache policy "$name" | sed -n 's/^ *Candidate: //p')
        if [[ -n $candidate && $candidate != "(none)" ]]; then
            printf '%s\n' "$name"
            return 0
        fi
    done
    return 1
}

install_packages() {
    say "Installing Debian packages (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    local chromium
    chromium=$(chromium_package) ||
        die "Neither chromium nor chromium-browser can be installed from the apt sources."
    note "Chromium comes as the package $chromium."
    # cage: the Wayland compositor that shows one application full screen (it runs Chromium);
    # Debian's cage will not start without the Xwayland binary, though nothing here uses X.
    # dbus and libpam-systemd: the logind session that gives cage the screen and touch input.
    # jq, curl, iproute2 (ss): the watchdog. sqlite3: backups by hand. The fonts: the
    # pictograms (emoji), and text in every language offered (Noto has Arabic and Cyrillic).
    apt-get install --yes python3 python3-venv rsync curl jq iproute2 sqlite3 cage xwayland \
        dbus libpam-systemd fonts-noto-color-emoji fonts-noto-core fonts-dejavu-core "$chromium"
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "The app needs Python 3.11 or newer; this python3 is $(python3 --version)."
}

create_users() {
    say "Users: $APP_USER (the app, owns its data) and $SCREEN_USER (Chromium, owns nothing)"
    if id -u "$APP_USER" >/dev/null 2>&1; then
        note "$APP_USER is there already."
    else
        useradd --system --user-group --home-dir "$state_dir" --no-create-home \
            --shell /usr/sbin/nologin --comment "Kiosk app" "$APP_USER"
    fi
    if id -u "$SCREEN_USER" >/dev/null 2>&1; then
        note "$SCREEN_USER is there already."
    else
        useradd --system --user-group --home-dir /run/kiosk-browser --no-create-home \
            --shell /usr/sbin/nologin --comment "Kiosk screen (Chromium)" "$SCREEN_USER"
    fi
}

install_app() {
    say "Installing the app into $APP_DIR"
    if [[ $SOURCE_DIR == "$APP_DIR" ]]; then
        note "Running from $APP_DIR itself: the files stay as they are."
    else
        install -d -m 0755 -o root -g root "$APP_DIR"
        # The checkout's files as git sees them: no .git, .venv or caches, nothing .gitignore
        # names. The --exclude rules also keep what was made here from --delete: the
        # virtualenv, the instance link, the compiled catalogues and bytecode, the egg-info.
        rsync --recursive --links --perms --times --owner --group --chown=root:root \
            --chmod=go-w --delete \
            --exclude='/.*' --exclude=/instance --exclude='/*.egg-info/' \
            --exclude='__pycache__/' --exclude='*.pyc' --exclude='*.mo' \
            --filter=':- .gitignore' \
            "$SOURCE_DIR/" "$APP_DIR/"
    fi
    chmod 0755 "${SCRIPTS[@]/#/$APP_DIR/}"

    local venv=$APP_DIR/.venv stamp wanted
    if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'pass' 2>/dev/null; then
        note "Creating the virtualenv $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
    fi
    # As the Makefile does: pinned by constraints.txt, reinstalled only when they change. The
    # install is editable (-e) because the app finds its templates, static files and
    # instance/ beside its package, in $APP_DIR.
    stamp=$venv/.installed
    wanted=$(cat "$APP_DIR/pyproject.toml" "$APP_DIR/constraints.txt" | sha256sum)
    if [[ ! -x $venv/bin/kiosk || $(cat "$stamp" 2>/dev/null) != "$wanted" ]]; then
        note "Installing the Python dependencies (pip; a few minutes on a Pi)"
        "$venv/bin/pip" install --quiet --upgrade pip
        "$venv/bin/pip" install --quiet -c "$APP_DIR/constraints.txt" -e "$APP_DIR"
        printf '%s\n' "$wanted" >"$stamp"
    else
        note "Python dependencies are up to date."
    fi
    "$venv/bin/pybabel" -q compile -d "$APP_DIR/kiosk/translations" -f
    # The app's user cannot write to $APP_DIR: compile the bytecode now, once.
    "$venv/bin/python" -m compileall -q "$APP_DIR/kiosk" "$APP_DIR/wsgi.py" >/dev/null
}

# $APP_DIR/instance (where the app keeps its secret key, the enrolment and, here, the
# database) becomes a link to the state directory on persistent storage.
prepare_state_dir() {
    say "Data: $state_dir (database, secret key, enrolment)"
    install -d -m 0750 -o "$APP_USER" -g "$APP_USER" "$state_dir"
    local link=$APP_DIR/instance
    if [[ -L $link ]]; then
        if [[ $(readlink -- "$link") != "$state_dir" ]]; then
            note "$link pointed to $(readlink -- "$link"); now to $state_dir."
            ln -sfn -- "$state_dir" "$link"
        fi
    elif [[ -d $link ]]; then
        # An installation made by hand (the earlier guide) kept everything in $link.
        if [[ -n $(ls -A -- "$link") ]]; then
            [[ -z $(ls -A -- "$state_dir") ]] ||
                die "Both $link and $state_dir hold files. Move what this kiosk needs into" \
                    "$state_dir by hand, remove $link, and run this again."
            note "Moving the contents of $link to $state_dir (the services stop meanwhile)."
            systemctl stop kiosk-sync.timer kiosk-sync.service kiosk.service 2>/dev/null || true
            find "$link" -mindepth 1 -maxdepth 1 -exec mv -t "$state_dir" -- {} +
        fi
        rmdir -- "$link"
        ln -s -- "$state_dir" "$link"
    elif [[ -e $link ]]; then
        die "$link is a file; it should be a link to $state_dir. Move it away and run this again."
    else
        ln -s -- "$state_dir" "$link"
    fi
    # Files made by a command run as root by mistake would lock the app out of its own data.
    chown -R "$APP_USER:$APP_USER" "$state_dir"
}

# The last value of a KEY=value line in the settings file, without quotes.
env_value() {
    sed -n "s/^[[:space:]]*$1=//p" "$ENV_FILE" | tail -n 1 | sed "s/^[\"']\\(.*\\)[\"']\$/\\1/"
}

# Where the app answers on this machine (its port from KIOSK_BIND).
app_url() {
    local bind
    bind=$(env_value KIOSK_BIND)
    bind=${bind:-127.0.0.1:8000}
    printf 'http://127.0.0.1:%s\n' "${bind##*:}"
}

write_env_file() {
    say "Settings: $ENV_FILE"
    install -d -m 0750 -o root -g "$APP_USER" "$ETC_DIR"
    if [[ ! -e $ENV_FILE ]]; then
        local tmp
        tmp=$(mktemp)
        cat >"$tmp" <<EOF
# $ENV_FILE: this kiosk node's settings, read by the kiosk-* services. Written once by
# deploy/setup-kiosk.sh ($(date +%F)), which never overwrites it. Readable by root and the
# kiosk user only. Every setting of the app can be given here as KIOSK_<NAME> (README.md).
KIOSK_ROLE=node
KIOSK_DATABASE_URL=sqlite:///$state_dir/kiosk.sqlite3
# The place this kiosk stands at: the screen shows http://127.0.0.1:8000/k/<KIOSK_PLACE>.
# After changing it: sudo systemctl restart kiosk-browser
KIOSK_PLACE=$place
# Only this machine's own browser talks to the app.
KIOSK_BIND=127.0.0.1:8000
KIOSK_WORKERS=2
EOF
        install -m 0640 -o root -g "$APP_USER" "$tmp" "$ENV_FILE"
        rm -f "$tmp"
        note "Written (KIOSK_ROLE=node, the database in $state_dir, KIOSK_PLACE=$place)."
        return 0
    fi
    note "It is there already: kept as it is."
    local role existing_place
    role=$(env_value KIOSK_ROLE)
    case $role in
        node) ;;
        "")
            printf '# Added by deploy/setup-kiosk.sh (%s):\nKIOSK_ROLE=node\n' "$(date +%F)" \
                >>"$ENV_FILE"
            note "Added KIOSK_ROLE=node: every answer is queued for central."
            ;;
        *)
            die "$ENV_FILE sets KIOSK_ROLE=$role, but this is a kiosk node (KIOSK_ROLE=node):" \
                "its answers would not be queued for central. Correct the file and run this again."
            ;;
    esac
    # The node's app serves its staff area too (a demo login, perhaps): only this machine's
    # browser may reach it, and the browser and the watchdog look for it on 127.0.0.1.
    local bind
    bind=$(env_value KIOSK_BIND)
    case $bind in
        "" | 127.0.0.1:*) ;;
        *)
            die "$ENV_FILE sets KIOSK_BIND=$bind: on a kiosk node the app listens on this" \
                "machine only (KIOSK_BIND=127.0.0.1:8000). Correct the file and run this again."
            ;;
    esac
    existing_place=$(env_value KIOSK_PLACE)
    if [[ -z $existing_place ]]; then
        printf '# Added by deploy/setup-kiosk.sh (%s): the screen shows /k/<KIOSK_PLACE>.\n' \
            "$(date +%F)" >>"$ENV_FILE"
        printf 'KIOSK_PLACE=%s\n' "$place" >>"$ENV_FILE"
        note "Added KIOSK_PLACE=$place."
    elif [[ $existing_place != "$place" ]]; then
        warn "$ENV_FILE says KIOSK_PLACE=$existing_place, not '$place' as given; it stays" \
            "$existing_place. To change it, edit the file, then:" \
            "sudo systemctl restart kiosk-browser kiosk-watchdog"
        place=$existing_place
    fi
}

install_units() {
    say "systemd units into $UNIT_DIR"
    local unit
    for unit in "${UNITS[@]}"; do
        install -m 0644 "$APP_DIR/deploy/$unit" "$UNIT_DIR/$unit"
    done
    install -m 0644 "$APP_DIR/deploy/kiosk-browser.pam" /etc/pam.d/kiosk-browser
    systemctl daemon-reload
    note "${UNITS[*]}"
    note "Change them with drop-ins (sudo systemctl edit UNIT): this script overwrites the files."
}

# tty1 becomes the kiosk screen's: no login prompt there, and no desktop on another console
# (it would take the screen back).
take_over_screen() {
    say "The screen: cage and Chromium on tty1"
    if systemctl is-enabled --quiet getty@tty1.service 2>/dev/null; then
        systemctl disable getty@tty1.service
        note "The login prompt on tty1 is off from the next boot; log in over SSH."
    fi
    if [[ -L $UNIT_DIR/display-manager.service ]]; then
        local manager
        manager=$(basename -- "$(readlink -f -- "$UNIT_DIR/display-manager.service")")
        systemctl disable "$manager"
        note "The desktop ($manager) is off from the next boot. To have it back:"
        note "  sudo systemctl disable kiosk-browser && sudo systemctl enable $manager"
    fi
}

start_services() {
    say "Starting the services"
    systemctl enable kiosk.service kiosk-browser.service \
        kiosk-sync.timer kiosk-watchdog.timer kiosk-browser-restart.timer kiosk-retention.timer
    # A restart, not a start: an update's code and migrations (kiosk init-db) take effect.
    systemctl restart kiosk.service ||
        die "kiosk.service did not start: journalctl -u kiosk -e says why."
    systemctl start kiosk-sync.timer kiosk-watchdog.timer kiosk-browser-restart.timer \
        kiosk-retention.timer
    local url waited=0
    url=$(app_url)
    until curl --silent --output /dev/null --max-time 2 "$url/"; do
        ((waited++ < 60)) || die "The app does not answer after a minute: journalctl -u kiosk -e"
        sleep 1
    done
    note "The app answers on $url/."
    # The screen is only restarted when it is running (an update): starting it here would
    # take tty1 from whoever is logged in there, perhaps the person running this script.
    systemctl try-restart kiosk-browser.service
}

enrol_node() {
    say "Enrolment with central"
    local token=$state_dir/device_token
    if [[ -e $token ]]; then
        note "Enrolled already, as kiosk $(cat "$state_dir/device_id" 2>/dev/null || echo '?')" \
            "with $(cat "$state_dir/central_url" 2>/dev/null || echo '?')."
        if [[ -n $enrol ]]; then
            warn "--enrol is ignored: this kiosk is enrolled already. To enrol it anew (with" \
                "a new link from staff): sudo $APP_DIR/deploy/kiosk-cli.sh enrol 'LINK'"
        fi
        return 0
    fi
    if [[ -z $enrol ]]; then
        note "Not enrolled: the kiosk takes answers and keeps them until it is. Enrol with the"
        note "link from central's staff area (Kioske): sudo $0 --place $place --enrol 'LINK'"
        return 0
    fi
    local args=("$enrol")
    if [[ $enrol != *"/enrol#"* ]]; then
        args=(--central "$central" "$enrol")
    fi
    "$APP_DIR/deploy/kiosk-cli.sh" enrol "${args[@]}" ||
        die "The enrolment failed (above). Everything else is set up: ask staff for a new" \
            "link if this one was used or is older than 7 days, and run this again with it."
    note "First sync: central's places and campaigns come down, waiting answers go up."
    if ! systemctl start kiosk-sync.service; then
        warn "The first sync failed (journalctl -u kiosk-sync -e); the timer tries every minute."
    fi
}

summary() {
    local page status
    page="$(app_url)/k/$place"
    status=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 \
        "$page") || true
    say "Done"
    note "Kiosk page:  $page (HTTP $status)"
    if [[ $status == 404 ]]; then
        note "             404: this kiosk does not know the place '$place' yet. It learns"
        note "             its places from central once it is enrolled and has synced."
    fi
    note "Settings:    $ENV_FILE"
    note "Data:        $state_dir"
    note "Status:      systemctl status kiosk kiosk-browser kiosk-sync.timer kiosk-watchdog.timer"
    note "Logs:        journalctl -u kiosk -u kiosk-browser -u kiosk-sync -u kiosk-watchdog -e"
    if ! systemctl is-active --quiet kiosk-browser.service; then
        note ""
        note "Now reboot (sudo reboot): the kiosk page comes up on the screen at boot."
    fi
}

main() {
    parse_args "$@"
    check_system
    install_packages
    create_users
    install_app
    prepare_state_dir
    write_env_file
    install_units
    take_over_screen
    start_services
    enrol_node
    summary
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    main "$@"
fi

#!/usr/bin/env bash
# Chromium in kiosk mode on this kiosk's page; kiosk-browser.service runs it inside cage.
# Waits (up to a minute) for the app to answer first, so that the first page shown
# is the kiosk's and not a connection error. Settings from /etc/kiosk/kiosk.env: KIOSK_PLACE
# (required), KIOSK_BIND, KIOSK_BABEL_DEFAULT_LOCALE, KIOSK_DEVTOOLS_PORT.
set -euo pipefail

place=${KIOSK_PLACE:-}
if [[ -z $place ]]; then
    echo "KIOSK_PLACE is not set in /etc/kiosk/kiosk.env: which place's page to show?" >&2
    exit 1
fi
bind=${KIOSK_BIND:-127.0.0.1:8000}
# The kiosk's own language, as the app's way back to the start (?lang=) sets it: otherwise
# the first visitor would get the language of Chromium's locale.
url="http://127.0.0.1:${bind##*:}/k/${place}?lang=${KIOSK_BABEL_DEFAULT_LOCALE:-de}"
devtools_port=${KIOSK_DEVTOOLS_PORT:-9222}
profile=${RUNTIME_DIRECTORY:-${XDG_RUNTIME_DIR:?}/kiosk-browser}/profile

# Raspberry Pi OS's own build first (as setup-kiosk.sh installs it), then Debian's.
browser=""
for name in chromium-browser chromium; do
    if command -v "$name" >/dev/null; then
        browser=$(command -v "$name")
        break
    fi
done
if [[ -z $browser ]]; then
    echo "Neither chromium nor chromium-browser is installed (deploy/setup-kiosk.sh does)." >&2
    exit 1
fi

# Any HTTP answer will do (a place not synced yet answers 404); only no answer waits. A
# minute at most: kiosk-watchdog.sh gives a starting browser 90 s before it judges it.
while ((SECONDS < 60)); do
    if curl --silent --output /dev/null --max-time 2 "$url"; then
        break
    fi
    sleep 1
done

# Chromium needs none of the app's settings.
for name in $(compgen -e); do
    if [[ $name == KIOSK_* ]]; then
        unset "$name"
    fi
done

flags=(
    --kiosk
    # Nothing of one visitor (typed wishes, form history, cookies) is kept for the next.
    --incognito
    # The profile is in /run/kiosk-browser, new at every start: no first-run page, no
    # "restore pages?" after a power cut, whatever this Chromium's version does with the
    # flags for them.
    "--user-data-dir=$profile"
    --no-first-run
    --no-default-browser-check
    --disable-session-crashed-bubble
    --hide-crash-restore-bubble
    --noerrdialogs
    --disable-infobars
    # No "translate this page?" (--disable-translate for older versions, the feature for newer).
    --disable-translate
    "--disable-features=Translate,TranslateUI"
    # No zooming with two fingers, no "back" by swiping sideways.
    --disable-pinch
    --overscroll-history-navigation=0
    # Nothing is downloaded or looked up in the background: no updates, no sync.
    --check-for-update-interval=31536000
    --disable-background-networking
    --disable-component-update
    --disable-sync
    # No keyring under cage: keep Chromium from asking for one.
    --password-store=basic
    # cage is a Wayland compositor, and there is no X server.
    --ozone-platform=wayland
    # For kiosk-watchdog.sh: Chromium binds it to 127.0.0.1 only, and (since version 136)
    # opens it only with a --user-data-dir of its own, as here.
    "--remote-debugging-port=$devtools_port"
)
# No flag for screen blanking: cage has no idle timeout and never switches the screen off, and
# while it holds tty1 the console's own blanking does not apply.

echo "Starting $browser on $url"
exec "$browser" "${flags[@]}" "$url"

#!/usr/bin/env bash
# Kiosk watchdog: kiosk-watchdog.service runs it (as root) every minute. Checks that the app
# answers and that Chromium shows a live kiosk page; sends the page back to the start screen,
# or restarts kiosk-browser.service or kiosk.service, when not. Silent while all is well.
#
# What it looks at:
# - the app: GET /k/<place>. 200 is well; 404 means the place is not known yet (the kiosk is
#   not enrolled, or has not synced); no answer three runs in a row restarts kiosk.service.
# - Chromium, through its DevTools endpoint (127.0.0.1:9222, see kiosk-browser.sh): an endpoint
#   that listens but does not answer, or shows no page, restarts kiosk-browser.service. The
#   page is asked to run a line of JavaScript (kiosk-devtools.py). A page that does not
#   answer (hung, or crashed: "Aw, Snap!"), shows an error (Chromium's own after the app was
#   unreachable, or an HTTP error) or another address, two runs in a row, is sent to the
#   start screen (Page.navigate). The browser is restarted instead when that fails, or when
#   the page is in trouble still (or again) at the next run after being sent to the start.
#   Pages are only sent to the start while the app answers it with a 200.
# Nothing is done to a browser stopped on purpose, or started less than 90 s ago.
set -euo pipefail

here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
state=${RUNTIME_DIRECTORY:-/run/kiosk-watchdog}
place=${KIOSK_PLACE:?KIOSK_PLACE is not set in /etc/kiosk/kiosk.env}
bind=${KIOSK_BIND:-127.0.0.1:8000}
app="http://127.0.0.1:${bind##*:}"
kiosk_page="$app/k/$place"
start_url="$kiosk_page?lang=${KIOSK_BABEL_DEFAULT_LOCALE:-de}"
devtools_port=${KIOSK_DEVTOOLS_PORT:-9222}
devtools="http://127.0.0.1:$devtools_port"
browser_unit=kiosk-browser.service
app_unit=kiosk.service
grace_seconds=90
app_misses_before_restart=3
page_misses_before_action=2

mkdir -p "$state"

say() {
    printf '%s\n' "$*"
}

# A counter kept between runs in $state: counter NAME prints it, bump NAME adds one and
# prints the new value, reset NAME sets it to 0.
counter() {
    cat "$state/$1" 2>/dev/null || echo 0
}
bump() {
    local value
    value=$(($(counter "$1") + 1))
    echo "$value" >"$state/$1"
    echo "$value"
}
reset() {
    rm -f "$state/$1"
}

# Say something only when it differs from what was said last time under this key, so that a
# lasting state is logged once and not every minute.
say_once() {
    local key=$1
    shift
    if [[ $(cat "$state/$key.said" 2>/dev/null) != "$*" ]]; then
        say "$*"
        printf '%s' "$*" >"$state/$key.said"
    fi
}

seconds_active() {
    local since now
    since=$(systemctl show --property=ActiveEnterTimestampMonotonic --value "$1")
    now=$(cut -d' ' -f1 /proc/uptime)
    echo $((${now%.*} - ${since:-0} / 1000000))
}

devtools_call() {
    python3 "$here/kiosk-devtools.py" "$@"
}

restart_browser() {
    say "$1: restarting $browser_unit."
    reset page-misses
    rm -f "$state/sent-to-start"
    systemctl restart "$browser_unit"
}

check_app() {
    local status
    status=$(curl --silent --output /dev/null --write-out '%{http_code}' --max-time 10 \
        "$kiosk_page") || true
    case $status in
        200)
            reset app-misses
            say_once app "The app answers $kiosk_page."
            ;;
        000 | "")
            local misses
            misses=$(bump app-misses)
            rm -f "$state/app.said"
            say "The app does not answer $kiosk_page (checks in a row: $misses)."
            if ((misses >= app_misses_before_restart)) &&
                systemctl is-active --quiet "$app_unit"; then
                say "Restarting $app_unit."
                reset app-misses
                systemctl restart "$app_unit"
            fi
            ;;
        404)
            reset app-misses
            say_once app "The app does not know the place '$place' yet: is the kiosk enrolled," \
                "and has it synced (systemctl status kiosk-sync)? Or is KIOSK_PLACE wrong?"
            ;;
        *)
            reset app-misses
            say_once app "The app answers $kiosk_page with HTTP $status (journalctl -u $app_unit)."
            ;;
    esac
    [[ $status == 200 ]]
}

# The DevTools address of the page the browser shows (the first of its tabs; a kiosk has one).
page_socket() {
    curl --silent --fail --max-time 10 "$devtools/json/list" |
        jq --raw-output --exit-status \
            '[.[] | select(.type == "page")][0] // empty | .webSocketDebuggerUrl'
}

# What the page says of itself: its address, whether it has loaded, and the HTTP status it
# came with (0 for Chromium's own error pages).
readonly PAGE_STATE='({
    url: location.href,
    ready: document.readyState,
    status: (performance.getEntriesByType("navigation")[0] || {}).responseStatus || 0
})'

# Is this address the kiosk's page (its start, a question, the thanks), not another one?
is_kiosk_address() {
    [[ $1 == "$kiosk_page" || $1 == "$kiosk_page/"* || $1 == "$kiosk_page?"* ]]
}

check_browser() {
    local app_ok=$1 socket answer url status ready problem=""
    if ! systemctl is-active --quiet "$browser_unit"; then
        reset page-misses
        rm -f "$state/sent-to-start"
        return 0
    fi
    if (($(seconds_active "$browser_unit") < grace_seconds)); then
        return 0
    fi
    if ! socket=$(page_socket); then
        if [[ -z $(ss -Hltn "sport = :$devtools_port") ]]; then
            # Not hung, but started without remote debugging: restarting would not help.
            say_once page "Nothing listens on $devtools: Chromium was started without" \
                "--remote-debugging-port, so only the app is watched."
            return 0
        fi
        if curl --silent --fail --max-time 10 --output /dev/null "$devtools/json/version"; then
            restart_browser "Chromium shows no page"
        else
            restart_browser "Chromium's DevTools endpoint ($devtools) does not answer"
        fi
        return 0
    fi
    if answer=$(devtools_call "$socket" Runtime.evaluate "$(jq --null-input --compact-output \
        --arg expression "$PAGE_STATE" '{expression: $expression, returnByValue: true}')"); then
        url=$(jq --raw-output '.result.value.url' <<<"$answer")
        status=$(jq --raw-output '.result.value.status' <<<"$answer")
        ready=$(jq --raw-output '.result.value.ready' <<<"$answer")
        if ! is_kiosk_address "$url"; then
            problem="The page shows $url"
        elif ((status >= 400)); then
            problem="The page shows an HTTP $status error"
        elif [[ $ready == loading ]]; then
            problem="The page is still loading"
        fi
    else
        problem="The page does not run JavaScript (hung or crashed)"
    fi
    if [[ -z $problem ]]; then
        reset page-misses
        rm -f "$state/sent-to-start"
        return 0
    fi
    local misses
    misses=$(bump page-misses)
    # Once, to pass over a moment of loading; not after the page was sent to the start, which
    # had its minute.
    if ((misses < page_misses_before_action)) && [[ ! -e $state/sent-to-start ]]; then
        return 0
    fi
    if [[ $app_ok != yes ]]; then
        say_once page "$problem; the app does not answer well either: waiting for it."
        return 0
    fi
    if [[ -e $state/sent-to-start ]]; then
        # Sending it to the start did not help (a renderer that hangs again at once, say).
        restart_browser "$problem, again since it was sent to the start"
        return 0
    fi
    say "$problem (checks in a row: $misses): back to $start_url."
    if answer=$(devtools_call "$socket" Page.navigate \
        "$(jq --null-input --compact-output --arg url "$start_url" '{url: $url}')") &&
        [[ $(jq --raw-output '.errorText // ""' <<<"$answer") == "" ]]; then
        reset page-misses
        rm -f "$state/page.said"
        touch "$state/sent-to-start"
    else
        restart_browser "The page could not be sent to the start"
    fi
}

app_ok=no
if check_app; then
    app_ok=yes
fi
check_browser "$app_ok"

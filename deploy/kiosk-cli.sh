#!/usr/bin/env bash
# Run a `kiosk` command on a kiosk node the way its services run: as the user kiosk, in
# /opt/kiosk, with the settings of /etc/kiosk/kiosk.env. So files it writes belong to kiosk,
# and it uses the node's database. As root, e.g.:
#   sudo /opt/kiosk/deploy/kiosk-cli.sh sync
#   sudo /opt/kiosk/deploy/kiosk-cli.sh enrol 'https://beteiligung.example.org/enrol#...'
#   sudo /opt/kiosk/deploy/kiosk-cli.sh export-outbox /var/lib/kiosk/outbox.json
# File names are seen by the user kiosk from /opt/kiosk: give absolute paths it can write to.
set -euo pipefail

if ((EUID != 0)); then
    echo "Run it as root: sudo $0 $*" >&2
    exit 1
fi
if (($# == 0)); then
    echo "Usage: sudo $0 COMMAND [ARGUMENTS]   (sudo $0 --help lists the commands)" >&2
    exit 2
fi
# A terminal for commands that ask (create-user asks for a password); a pipe otherwise.
mode=--pipe
if [[ -t 0 && -t 1 ]]; then
    mode=--pty
fi
exec systemd-run --quiet --wait --collect "$mode" --uid=kiosk --gid=kiosk \
    --working-directory=/opt/kiosk --property=EnvironmentFile=/etc/kiosk/kiosk.env \
    -- /opt/kiosk/.venv/bin/kiosk "$@"

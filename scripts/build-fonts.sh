#!/usr/bin/env bash
# Rebuild the bundled fonts in kiosk/printing/fonts/ from Debian's Noto packages (run by hand, rarely).
#
#   KioskSans-Regular.ttf, KioskSans-Bold.ttf: Noto Sans (Latin, Cyrillic, Greek) merged with
#     Noto Sans Arabic, renamed "Kiosk Sans", so one font shapes mixed lines right to left.
#   KioskEmoji.ttf: Noto Color Emoji cut down to the pictograms staff can pick
#     (kiosk.setup.questions.PICTOGRAMS), for posters.
#
# Needs apt-get (to download, not install, the two packages) and python3 with venv.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/kiosk/printing/fonts"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

# The versions kiosk/printing/fonts/LICENSE-OFL.txt names; a newer Debian release changes them there too.
apt-get download fonts-noto-core=20201225-1 fonts-noto-color-emoji=2.042-0+deb12u1
for deb in ./*.deb; do dpkg-deb -x "$deb" unpacked; done
noto=unpacked/usr/share/fonts/truetype/noto

python3 -m venv tools
tools/bin/pip install --quiet fonttools==4.68.0

for weight in Regular Bold; do
  tools/bin/pyftmerge --output-file="merged-$weight.ttf" \
    "$noto/NotoSans-$weight.ttf" "$noto/NotoSansArabic-$weight.ttf"
  tools/bin/python - "merged-$weight.ttf" "$out/KioskSans-$weight.ttf" "$weight" <<'EOF'
import sys
from fontTools.ttLib import TTFont

source, target, weight = sys.argv[1:]
font = TTFont(source)
names = {1: "Kiosk Sans", 2: weight, 3: f"KioskSans-{weight};merged from Noto Sans",
         4: f"Kiosk Sans {weight}", 6: f"KioskSans-{weight}", 16: "Kiosk Sans", 17: weight}
for record in font["name"].names:
    if record.nameID in names:
        record.string = names[record.nameID]
font.save(target)
EOF
done

pictograms="$(cd "$root" && PYTHONPATH=. python3 -c \
  'import ast, pathlib; src = pathlib.Path("kiosk/setup/questions.py").read_text()
start = src.index("PICTOGRAMS = tuple(")
print("".join(ast.literal_eval(src[src.index("\"\"\"", start):src.index(".split()", start)]).split()))')"
tools/bin/pyftsubset "$noto/NotoColorEmoji.ttf" --text="$pictograms" --layout-features='*' \
  --output-file=emoji.ttf
tools/bin/python - emoji.ttf "$out/KioskEmoji.ttf" <<'EOF'
import sys
from fontTools.ttLib import TTFont

source, target = sys.argv[1:]
font = TTFont(source)
names = {1: "Kiosk Emoji", 3: "KioskEmoji;subset of Noto Color Emoji", 4: "Kiosk Emoji",
         6: "KioskEmoji", 16: "Kiosk Emoji"}
for record in font["name"].names:
    if record.nameID in names:
        record.string = names[record.nameID]
font.save(target)
EOF
ls -l "$out"/Kiosk*.ttf

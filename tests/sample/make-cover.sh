#!/usr/bin/env bash
# Draws feed/cover.jpg of the sample show (1400×1400 RGB JPEG) with ffmpeg alone: a dusk gradient,
# a low sun, two hills, the title and the demonstration notice. Needs ffmpeg and fonts-dejavu-core.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
fonts=/usr/share/fonts/truetype/dejavu
[ -f "$fonts/DejaVuSerif-Bold.ttf" ] || { echo "make-cover.sh: apt-get install fonts-dejavu-core" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'Dynamiques' >"$work/t1"
printf 'collectives' >"$work/t2"
printf 'Méthodes et récits pour la résilience locale' >"$work/t3"
printf 'Contenu de démonstration · voix de synthèse' >"$work/t4"

# Which layer a pixel belongs to, front to back: front hill, back hill, village lights, sun, sky.
front='gt(Y,1060+70*sin(X/330))'
back='gt(Y,940+50*sin(X/210+1))'
lights='lt(hypot(X-260,Y-1002),6)+lt(hypot(X-300,Y-996),6)+lt(hypot(X-640,Y-975),6)+lt(hypot(X-1230,Y-1003),6)'
sun='lt(hypot(X-1030,Y-900),140)'
t='pow(Y/H,1.4)'
layer() { # r g b of: front, back, lights, sun, sky top, sky bottom
  echo "if($front,$1,if($back,if($lights,$3,$2),if($sun,$4,$5+($6-$5)*$t)))"
}
r=$(layer 34 78 255 250 31 236)
g=$(layer 36 62 214 206 42 150)
b=$(layer 54 88 140 126 74 84)
text="fontcolor=0xfff4e0"
ffmpeg -hide_banner -loglevel error -nostdin -y -fflags +bitexact -f lavfi -i "color=c=black:s=1400x1400:d=1,format=rgb24" \
  -vf "geq=r='$r':g='$g':b='$b',\
drawtext=fontfile=$fonts/DejaVuSerif-Bold.ttf:textfile=$work/t1:fontsize=150:$text:x=110:y=210,\
drawtext=fontfile=$fonts/DejaVuSerif-Bold.ttf:textfile=$work/t2:fontsize=150:$text:x=110:y=390,\
drawbox=x=116:y=600:w=360:h=8:color=0xf2b766:t=fill,\
drawtext=fontfile=$fonts/DejaVuSans.ttf:textfile=$work/t3:fontsize=46:$text:x=116:y=650,\
drawtext=fontfile=$fonts/DejaVuSans.ttf:textfile=$work/t4:fontsize=36:$text@0.85:x=(w-text_w)/2:y=1290" \
  -frames:v 1 -q:v 3 -flags +bitexact -map_metadata -1 "$root/feed/cover.jpg"
echo "feed/cover.jpg: $(stat -c %s "$root/feed/cover.jpg") bytes"

#!/bin/sh
# Renders icons/formdesk.svg into the PNGs and the .ico that src-tauri/tauri.conf.json lists.
# Needs ImageMagick (`convert`). PNGs are written as 8-bit RGBA (PNG32:), which Tauri requires.
set -eu
cd "$(dirname "$0")"
render() { convert -background none -density 384 formdesk.svg -resize "$1x$1" "PNG32:$2"; }
render 32 32x32.png
render 128 128x128.png
render 256 128x128@2x.png
render 512 icon.png
convert -background none -density 384 formdesk.svg -define icon:auto-resize=256,128,64,48,32,16 icon.ico

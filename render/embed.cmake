# Turn a text file into a C string constant, at build time:
#   cmake -DIN=render/flamegraph.js -DOUT=flamegraph_js.c -DSYMBOL=flame_render_js -P embed.cmake
# The script goes inside a CDATA section, so it must not contain "]]>".
file(READ "${IN}" text)
string(FIND "${text}" "]]>" cdata_end)
if(NOT cdata_end EQUAL -1)
  message(FATAL_ERROR "${IN} contains ']]>', which would end the SVG's CDATA section")
endif()
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" hexlen)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# 16 bytes per line
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){16})" "\\1\n\t" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by render/embed.cmake: do not edit. */\n"
  "const char ${SYMBOL}[] = {\n\t${bytes}0x00\n};\n")
file(RENAME "${OUT}.tmp" "${OUT}")

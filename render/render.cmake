# render/ sources for the flamecore library, included by the top-level
# CMakeLists.txt.  The SVG's script is kept in render/flamegraph.js and
# embedded as a C string at build time (render/embed.cmake).
set(FLAME_RENDER_JS_C ${CMAKE_CURRENT_BINARY_DIR}/flamegraph_js.c)
add_custom_command(
  OUTPUT ${FLAME_RENDER_JS_C}
  COMMAND ${CMAKE_COMMAND} -DIN=${CMAKE_CURRENT_SOURCE_DIR}/render/flamegraph.js
          -DOUT=${FLAME_RENDER_JS_C} -DSYMBOL=flame_render_js
          -P ${CMAKE_CURRENT_SOURCE_DIR}/render/embed.cmake
  DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/render/flamegraph.js
          ${CMAKE_CURRENT_SOURCE_DIR}/render/embed.cmake
  COMMENT "Embedding render/flamegraph.js"
  VERBATIM)
set(FLAME_RENDER_SOURCES
  render/svg.c render/nameattr.c render/layout.c render/palette.c render/escape.c render/text.c
  render/stream.c render/svgformat.c ${FLAME_RENDER_JS_C})

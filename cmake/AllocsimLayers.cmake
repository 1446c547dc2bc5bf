# How the layers stay layers: a target's headers are reachable only by the
# targets that link it.
#
# Every layer is one folder and one library. Its include root is a directory
# in the build tree that holds a single link, <root>/<dir> -> the folder, so
# `#include "<dir>/x.hpp"` works exactly where the target is linked. The
# repository root is never an include directory: a header of a lower layer
# that includes an upper one fails to build.

# allocsim_include_root(TARGET DIR [INTERFACE]): makes DIR (relative to the
# source root) includable as "DIR/..." by TARGET and whatever links it.
function(allocsim_include_root target dir)
  set(root ${CMAKE_BINARY_DIR}/include/${target})
  get_filename_component(parent ${root}/${dir} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${CMAKE_SOURCE_DIR}/${dir} ${root}/${dir} SYMBOLIC)
  set(scope PUBLIC)
  if(ARGV2 STREQUAL "INTERFACE")
    set(scope INTERFACE)
  endif()
  target_include_directories(${target} ${scope} $<BUILD_INTERFACE:${root}>)
endfunction()

# allocsim_layer(NAME DIR): a static library of DIR/*.cpp with DIR as its include root.
function(allocsim_layer target dir)
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/${dir}/*.cpp)
  add_library(${target} STATIC ${sources})
  allocsim_include_root(${target} ${dir})
endfunction()

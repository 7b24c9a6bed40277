# Writes build_info.h at every build (not only when CMake configures), so the commit stored with
# each run is the one the binary was built from. A tree with uncommitted changes to tracked
# files gets "-dirty" after the commit. configure_file leaves the file untouched when nothing
# changed, so an unchanged commit rebuilds nothing.
# Inputs: SRC (source dir), IN, OUT, and the fixed facts VERSION, BUILD_TYPE, COMPILER, SANITIZE.
execute_process(COMMAND git rev-parse --short=12 HEAD
  WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE TERNBENCH_GIT_COMMIT
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _rev)
if(NOT _rev EQUAL 0 OR NOT TERNBENCH_GIT_COMMIT)
  set(TERNBENCH_GIT_COMMIT "unknown")
else()
  execute_process(COMMAND git status --porcelain --untracked-files=no
    WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE _changes ERROR_QUIET)
  if(_changes)
    string(APPEND TERNBENCH_GIT_COMMIT "-dirty")
  endif()
endif()
set(PROJECT_VERSION ${VERSION})
set(CMAKE_BUILD_TYPE ${BUILD_TYPE})
set(TERNBENCH_COMPILER ${COMPILER})
set(TERNBENCH_SANITIZE ${SANITIZE})
configure_file(${IN} ${OUT} @ONLY)

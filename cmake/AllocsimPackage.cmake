# The core as a CMake package, so a researcher's own benchmark can do
#
#   find_package(allocsim REQUIRED)
#   target_link_libraries(my_bench PRIVATE allocsim::allocator)
#
# against `cmake --install build --prefix P` (or `--component core` for the
# core alone). Headers go to P/include/allocsim/allocator/, included as
# "allocator/heap.hpp"; tests/package checks it with a tiny outside project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(ALLOCSIM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/allocsim)
set_target_properties(allocsim_allocator PROPERTIES EXPORT_NAME allocator)
target_include_directories(allocsim_allocator INTERFACE $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/allocsim>)

install(TARGETS allocsim_allocator EXPORT allocsimTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT core)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/allocator/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/allocsim/allocator
        COMPONENT core FILES_MATCHING PATTERN "*.hpp")
install(EXPORT allocsimTargets NAMESPACE allocsim:: DESTINATION ${ALLOCSIM_CMAKE_DIR} COMPONENT core)

configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/allocsimConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/allocsimConfig.cmake INSTALL_DESTINATION ${ALLOCSIM_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/allocsimConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/allocsimConfig.cmake ${CMAKE_BINARY_DIR}/allocsimConfigVersion.cmake
        DESTINATION ${ALLOCSIM_CMAKE_DIR} COMPONENT core)

# How semhash installs and packages: the CMake package (semhashConfig.cmake,
# semhashConfigVersion.cmake and the exported target semhash::semhash), the
# pkg-config file, and Debian packages built by CPack from the install
# components:
#
#   component  package             what
#   runtime    libsemhashSOVERSION libsemhash.so.SOVERSION
#   torch      libsemhashSOVERSION-torch  LIBDIR/semhash/libsemhash_torch.so
#   dev        libsemhash-dev      headers, libsemhash.so, CMake, pkg-config
#   tools      semhash-tools       the semhash command-line tool
#
#   python     python3-semhash     the Python module (engine/python/)
#
# Another part of the build (any directory) adds its package in two lines,
# as engine/python/CMakeLists.txt does:
#   install(... COMPONENT python)
#   semhash_deb_package(python python3-semhash "semhash for Python"
#     DEPENDS runtime DEBIAN_DEPENDS "python3-numpy")
# semhash_write_packages(), called last by the top CMakeLists.txt, makes the
# CPack settings of every package declared.
include(CMakePackageConfigHelpers)

set(semhash_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/semhash)
install(EXPORT semhash-targets NAMESPACE semhash::
  FILE semhashTargets.cmake DESTINATION ${semhash_cmake_dir} COMPONENT dev)
configure_package_config_file(engine/packaging/semhashConfig.cmake.in
  ${PROJECT_BINARY_DIR}/semhashConfig.cmake
  INSTALL_DESTINATION ${semhash_cmake_dir})
# 0.x: a new minor version may break the API, so only the same minor
# version is compatible.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/semhashConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/semhashConfig.cmake
  ${PROJECT_BINARY_DIR}/semhashConfigVersion.cmake
  DESTINATION ${semhash_cmake_dir} COMPONENT dev)

# semhash.pc finds the prefix relative to itself (${pcfiledir}), as many
# directories up as LIBDIR/pkgconfig is deep.
file(RELATIVE_PATH SEMHASH_PC_TO_PREFIX
  /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(engine/packaging/semhash.pc.in ${PROJECT_BINARY_DIR}/semhash.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/semhash.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# semhash_deb_package(component package summary [DEPENDS other...]
#                     [DEBIAN_DEPENDS "debian-package (>= v), ..."]
#                     [DEBIAN_SUGGESTS "debian-package, ..."]):
# `component`'s files make the Debian package `package`, which depends on
# the same version of the packages of the `other` components, on the Debian
# packages of the shared libraries its files link (dpkg-shlibdeps), and on
# those DEBIAN_DEPENDS names (what no ELF file says, as a Python module's);
# it suggests the DEBIAN_SUGGESTS ones (what an optional part of it needs).
function(semhash_deb_package component package summary)
  cmake_parse_arguments(PARSE_ARGV 3 arg ""
    "DEBIAN_DEPENDS;DEBIAN_SUGGESTS" "DEPENDS")
  set_property(GLOBAL APPEND PROPERTY SEMHASH_DEB_COMPONENTS ${component})
  set_property(GLOBAL PROPERTY SEMHASH_DEB_${component}
    "${package}" "${summary}" "${arg_DEBIAN_DEPENDS}" "${arg_DEBIAN_SUGGESTS}"
    "${arg_DEPENDS}")
endfunction()

semhash_deb_package(runtime libsemhash${SEMHASH_SOVERSION}
  "embedded storage engine for image retrieval with binary hash codes")
semhash_deb_package(dev libsemhash-dev
  "semhash's headers, CMake package and pkg-config file" DEPENDS runtime)
semhash_deb_package(tools semhash-tools
  "the semhash command-line tool" DEPENDS runtime)
if(SEMHASH_HAVE_TORCH)
  semhash_deb_package(torch libsemhash${SEMHASH_SOVERSION}-torch
    "semhash's LibTorch module: trains deep encoders, runs TorchScript"
    DEPENDS runtime)
endif()

# After every directory declared its packages: CPack's settings, one DEB
# per component (cpack -G DEB in the build directory; tools/test-debs.sh).
function(semhash_write_packages)
  set(CPACK_PACKAGE_NAME semhash)
  set(CPACK_PACKAGE_VENDOR semhash)
  set(CPACK_PACKAGE_CONTACT "semhash maintainers <semhash@localhost>")
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "embedded storage engine for image retrieval with binary hash codes")
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libs)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  # dpkg-shlibdeps finds libsemhash.so.N, which the tools and the module
  # link, in the build tree; their dependency on its package is the
  # component dependency.
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    ${PROJECT_BINARY_DIR}/engine)
  set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
  get_property(components GLOBAL PROPERTY SEMHASH_DEB_COMPONENTS)
  set(CPACK_COMPONENTS_ALL ${components})
  foreach(component ${components})
    string(TOUPPER ${component} c)
    get_property(spec GLOBAL PROPERTY SEMHASH_DEB_${component})
    list(GET spec 0 package)
    list(GET spec 1 summary)
    list(GET spec 2 debian_depends)
    list(GET spec 3 debian_suggests)
    list(SUBLIST spec 4 -1 depends)
    set(CPACK_DEBIAN_${c}_PACKAGE_NAME ${package})
    set(CPACK_DEBIAN_${c}_PACKAGE_DEPENDS "${debian_depends}")
    set(CPACK_DEBIAN_${c}_PACKAGE_SUGGESTS "${debian_suggests}")
    set(CPACK_COMPONENT_${c}_DESCRIPTION "${summary}")
    set(CPACK_COMPONENT_${c}_DEPENDS ${depends})
  endforeach()
  set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION utils)
  include(CPack)
endfunction()

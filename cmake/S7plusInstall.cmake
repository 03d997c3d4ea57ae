# SPDX-License-Identifier: MIT
# What `cmake --install` puts where, the packages a consumer finds (pkg-config, CMake), the
# man pages and the Debian package (`make deb`). Included by the top-level CMakeLists.txt
# after the targets are defined.
include(CMakePackageConfigHelpers)

# ---- man pages: made from the programs' own --help (cmake/gen-man.sh), so they cannot
# drift; tests/man checks that they agree.
set(S7P_MAN_DIR ${CMAKE_BINARY_DIR}/man)
set(S7P_GEN_MAN ${CMAKE_SOURCE_DIR}/cmake/gen-man.sh)
add_custom_command(OUTPUT ${S7P_MAN_DIR}/s7plus.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${S7P_MAN_DIR}
    COMMAND sh ${S7P_GEN_MAN} $<TARGET_FILE:s7plus-cli> s7plus ${PROJECT_VERSION}
            "command-line client for Siemens S7-1200/S7-1500 PLCs (S7CommPlus)"
            "s7plus-sim(1)" info browse read write watch decode culture resources state
            alarms > ${S7P_MAN_DIR}/s7plus.1
    DEPENDS s7plus-cli ${S7P_GEN_MAN} VERBATIM)
add_custom_command(OUTPUT ${S7P_MAN_DIR}/s7plus-sim.1
    COMMAND ${CMAKE_COMMAND} -E make_directory ${S7P_MAN_DIR}
    COMMAND sh ${S7P_GEN_MAN} $<TARGET_FILE:s7plus-sim> s7plus-sim ${PROJECT_VERSION}
            "S7CommPlus PLC simulator for testing S7CommPlus clients" "s7plus(1)"
            > ${S7P_MAN_DIR}/s7plus-sim.1
    DEPENDS s7plus-sim ${S7P_GEN_MAN} VERBATIM)
add_custom_target(man ALL DEPENDS ${S7P_MAN_DIR}/s7plus.1 ${S7P_MAN_DIR}/s7plus-sim.1)

# ---- install
install(TARGETS s7plus EXPORT s7plus-targets
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev)
install(TARGETS s7plus_static EXPORT s7plus-static-targets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(FILES ${CMAKE_SOURCE_DIR}/include/s7plus/s7plus.h
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/s7plus COMPONENT dev)
install(TARGETS s7plus-cli s7plus-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    COMPONENT runtime)
install(FILES ${S7P_MAN_DIR}/s7plus.1 ${S7P_MAN_DIR}/s7plus-sim.1
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
install(FILES ${CMAKE_SOURCE_DIR}/LICENSE ${CMAKE_SOURCE_DIR}/README.md
    DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT runtime)

# CMake package: relocatable, found under PREFIX/LIBDIR/cmake/s7plus.
set(S7P_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/s7plus)
install(EXPORT s7plus-targets NAMESPACE s7plus:: DESTINATION ${S7P_CMAKE_DIR} COMPONENT dev)
install(EXPORT s7plus-static-targets NAMESPACE s7plus:: DESTINATION ${S7P_CMAKE_DIR}
    COMPONENT dev)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/s7plus-config.cmake.in
    ${CMAKE_BINARY_DIR}/cmake/s7plus-config.cmake INSTALL_DESTINATION ${S7P_CMAKE_DIR})
# While the major version is 0 each minor version may break the API (as the SONAME says).
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(S7P_COMPAT SameMinorVersion)
else()
  set(S7P_COMPAT SameMajorVersion)
endif()
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/s7plus-config-version.cmake
    COMPATIBILITY ${S7P_COMPAT})
install(FILES ${CMAKE_BINARY_DIR}/cmake/s7plus-config.cmake
    ${CMAKE_BINARY_DIR}/cmake/s7plus-config-version.cmake
    DESTINATION ${S7P_CMAKE_DIR} COMPONENT dev)

# pkg-config: written at install time, so that it names the prefix actually installed to
# (`cmake --install build --prefix DIR`, or /usr inside the Debian package).
foreach(d LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${d}}")
    set(S7P_PC_${d} "${CMAKE_INSTALL_${d}}")
  else()
    set(S7P_PC_${d} "\${prefix}/${CMAKE_INSTALL_${d}}")
  endif()
endforeach()
# Two steps: everything but the prefix now, the prefix at install time.
set(S7P_PC_PREFIX "@S7P_PC_PREFIX@")
configure_file(${CMAKE_SOURCE_DIR}/cmake/s7plus.pc.in ${CMAKE_BINARY_DIR}/pkgconfig/s7plus.pc.in
    @ONLY)
set(S7P_PC_OUT ${CMAKE_BINARY_DIR}/pkgconfig/s7plus.pc)
install(CODE "
  set(S7P_PC_PREFIX \"\${CMAKE_INSTALL_PREFIX}\")
  configure_file(\"${CMAKE_BINARY_DIR}/pkgconfig/s7plus.pc.in\" \"${S7P_PC_OUT}\" @ONLY)
  " COMPONENT dev)
install(FILES ${S7P_PC_OUT} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# ---- Debian package (`make deb`: cpack -G DEB in a build configured for prefix /usr).
# One package with the library, its header and the two programs.
set(CPACK_PACKAGE_NAME s7plus)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the s7plus authors")
set(CPACK_PACKAGE_CONTACT "the s7plus authors")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "S7CommPlus client library, command-line tool and PLC simulator")
set(CPACK_PACKAGE_DESCRIPTION
    "libs7plus talks S7CommPlus over TLS 1.3 to Siemens S7-1200 and S7-1500 PLCs: CPU
information, browsing the PLC program, reading and writing variables by symbol. The
package holds the shared and static library, its header, pkg-config and CMake files,
the command-line tool s7plus and the simulator s7plus-sim.")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libs)
# dpkg-shlibdeps works out the runtime dependencies (libssl3, zlib1g, libjansson4, libc6,
# and libpcap0.8 for the capture decoder of s7p_capture_decode_file / `s7plus decode`) from
# the ELF files, with the versions Debian's symbols files demand. The static library needs
# the -dev packages of its dependencies to link (pkg-config --static: -lpcap).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "pkg-config, libssl-dev, zlib1g-dev, libpcap-dev")
# The Python binding (python/, in /usr/lib/python3/dist-packages/s7plus) needs cffi's
# runtime module; the rest of the package does not, hence a recommendation.
if(S7P_PYTHON_BINDING)
  string(APPEND CPACK_DEBIAN_PACKAGE_RECOMMENDS ", python3, python3-cffi-backend")
endif()
set(CPACK_GENERATOR DEB)
include(CPack)

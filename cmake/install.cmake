# Installation: libredkit with its public headers, the redkit program, and the
# files that let other projects use the library through find_package(redkit)
# or pkg-config. The devserver and the tests are never installed.
include(CMakePackageConfigHelpers)

set(REDKIT_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/redkit
    CACHE STRING "Where redkitConfig.cmake is installed, relative to the prefix")

install(TARGETS redkit
  EXPORT redkitTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/redkit
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/include/redkit/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/redkit)

if(TARGET redkit_cli)
  install(TARGETS redkit_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

install(EXPORT redkitTargets
  NAMESPACE redkit::
  FILE redkitTargets.cmake
  DESTINATION ${REDKIT_INSTALL_CMAKEDIR})

# A static libredkit carries its private dependencies into the consumer's
# link line, so the package config must find them; a shared one hides them.
get_target_property(_redkit_library_type redkit TYPE)
if(_redkit_library_type STREQUAL "STATIC_LIBRARY")
  set(REDKIT_PACKAGE_STATIC TRUE)
else()
  set(REDKIT_PACKAGE_STATIC FALSE)
endif()
unset(_redkit_library_type)

configure_package_config_file(
  ${PROJECT_SOURCE_DIR}/cmake/redkitConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/redkitConfig.cmake
  INSTALL_DESTINATION ${REDKIT_INSTALL_CMAKEDIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/package/redkitConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/package/redkitConfig.cmake
  ${PROJECT_BINARY_DIR}/package/redkitConfigVersion.cmake
  DESTINATION ${REDKIT_INSTALL_CMAKEDIR})

# redkit.pc finds the prefix relative to its own location (${pcfiledir}), so
# the installed tree stays correct when installed with --prefix or DESTDIR, or
# moved after installation. Absolute install directories are used as given.
file(RELATIVE_PATH _redkit_pc_up "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" _redkit_pc_up "${_redkit_pc_up}")
set(REDKIT_PC_PREFIX "\${pcfiledir}/${_redkit_pc_up}")
unset(_redkit_pc_up)
foreach(_redkit_dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${_redkit_dir}}")
    set(REDKIT_PC_${_redkit_dir} "${CMAKE_INSTALL_${_redkit_dir}}")
    set(REDKIT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  else()
    set(REDKIT_PC_${_redkit_dir} "\${prefix}/${CMAKE_INSTALL_${_redkit_dir}}")
  endif()
endforeach()
unset(_redkit_dir)
configure_file(${PROJECT_SOURCE_DIR}/cmake/redkit.pc.in
               ${PROJECT_BINARY_DIR}/package/redkit.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/package/redkit.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

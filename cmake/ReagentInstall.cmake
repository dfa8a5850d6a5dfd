include(CMakePackageConfigHelpers)
install(EXPORT reagentTargets NAMESPACE reagent:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reagent)
configure_package_config_file(cmake/reagentConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/reagentConfig.cmake"
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reagent)
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/reagentConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/reagentConfig.cmake"
  "${CMAKE_CURRENT_BINARY_DIR}/reagentConfigVersion.cmake"
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/reagent)

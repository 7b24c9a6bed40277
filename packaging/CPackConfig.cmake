# CPack: a .deb with the runtime Depends of Qt 6, SQLite and PCRE2 (Boost and SQLiteCpp are
# header-only or linked statically), and a .tar.gz. Run `cpack` in the build tree.
install(FILES ${CMAKE_SOURCE_DIR}/packaging/ternbench.desktop DESTINATION share/applications)
install(FILES ${CMAKE_SOURCE_DIR}/packaging/io.github.ternbench.metainfo.xml DESTINATION share/metainfo)
install(FILES ${CMAKE_SOURCE_DIR}/resources/icons/ternbench.svg
        DESTINATION share/icons/hicolor/scalable/apps)
set(CPACK_PACKAGE_NAME ternbench)
set(CPACK_PACKAGE_VENDOR "ternbench developers")
set(CPACK_PACKAGE_CONTACT "ternbench developers <ternbench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Benchmark BitNet b1.58 ternary LLM inference on CPUs")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libqt6core6 (>= 6.4), libqt6gui6 (>= 6.4), libqt6widgets6 (>= 6.4), libqt6charts6 (>= 6.4), libqt6svg6 (>= 6.4), qt6-qpa-plugins, libsqlite3-0 (>= 3.40), libpcre2-8-0 (>= 10.42), libstdc++6 (>= 12), libc6 (>= 2.36)")
include(CPack)

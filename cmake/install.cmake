# SPDX-License-Identifier: Apache-2.0
# Where an installed tractiond lives (GNUInstallDirs; prefix /usr puts the config in /etc):
#   sbin/tractiond, sbin/tractiond-web (web/), sbin/tractiond-mqtt (mqtt/), bin/tractionctl (cli/),
#   bin/traction-sim
#   /etc/tractiond/tractiond.json, web.json, mqtt.json (+ programs/ for local programs)
#   share/tractiond/{devices,programs,sim}   register maps, built-in programs, simulator models
#   share/tractiond/web                      the panel's page
#   systemd units, sysusers.d and tmpfiles.d where this system's systemd looks for them
#   man pages (gzipped), docs and the real-time drop-in example in share/doc/tractiond
include(GNUInstallDirs)

pkg_get_variable(TRACTION_UNIT_DIR systemd systemdsystemunitdir)
pkg_get_variable(TRACTION_SYSUSERS_DIR systemd sysusersdir)
pkg_get_variable(TRACTION_TMPFILES_DIR systemd tmpfilesdir)
if(NOT TRACTION_UNIT_DIR)
  set(TRACTION_UNIT_DIR /lib/systemd/system)
endif()
if(NOT TRACTION_SYSUSERS_DIR)
  set(TRACTION_SYSUSERS_DIR /usr/lib/sysusers.d)
endif()
if(NOT TRACTION_TMPFILES_DIR)
  set(TRACTION_TMPFILES_DIR /usr/lib/tmpfiles.d)
endif()
set(TRACTION_DATA_DIR ${CMAKE_INSTALL_DATADIR}/tractiond)
# Absolute: the daemon, the unit and the man pages name /etc/tractiond whatever the prefix.
set(TRACTION_CONFIG_DIR /etc/tractiond CACHE PATH "where tractiond.json is installed")
set(TRACTION_DOC_DIR ${CMAKE_INSTALL_DATADIR}/doc/tractiond)

install(TARGETS tractiond RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS traction-sim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The bedside panel: the relay, its page (share/tractiond/web) and its config. Chart.js comes from
# Debian's libjs-chart.js (/usr/share/javascript/chart.js), a dependency of the package.
install(TARGETS tractiond-web RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(DIRECTORY web/panel/ DESTINATION ${TRACTION_DATA_DIR}/web)
install(FILES config/web.json DESTINATION ${TRACTION_CONFIG_DIR})
# The MQTT bridge and its config (no secret as packaged: an admin who adds a broker password makes
# it root:tractiond-mqtt 0640, as tractiond-mqtt(8) says).
install(TARGETS tractiond-mqtt RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES config/mqtt.json DESTINATION ${TRACTION_CONFIG_DIR})

install(FILES config/tractiond.json DESTINATION ${TRACTION_CONFIG_DIR})
install(DIRECTORY DESTINATION ${TRACTION_CONFIG_DIR}/programs)
install(DIRECTORY config/devices config/programs config/sim DESTINATION ${TRACTION_DATA_DIR}
        FILES_MATCHING PATTERN "*.json")

install(FILES systemd/tractiond.service systemd/tractiond.socket systemd/tractiond-web.service
              systemd/tractiond-mqtt.service
        DESTINATION ${TRACTION_UNIT_DIR})
install(FILES systemd/tractiond.sysusers DESTINATION ${TRACTION_SYSUSERS_DIR} RENAME tractiond.conf)
install(FILES systemd/tractiond.tmpfiles DESTINATION ${TRACTION_TMPFILES_DIR} RENAME tractiond.conf)
install(FILES systemd/realtime.conf DESTINATION ${TRACTION_DOC_DIR}/examples)

# Man pages, gzipped -9n (reproducible, as Debian wants them).
find_program(TRACTION_GZIP gzip REQUIRED)
set(TRACTION_MAN_PAGES tractiond.8 tractiond-web.8 tractiond-mqtt.8 tractionctl.1 traction-sim.1 tractiond.json.5
    tractiond-protocol.7)
set(TRACTION_MAN_GZ)
foreach(page ${TRACTION_MAN_PAGES})
  string(REGEX MATCH "[0-9]$" section ${page})
  set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${TRACTION_GZIP} -9n -c ${PROJECT_SOURCE_DIR}/docs/man/${page} > ${gz}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/${page} VERBATIM)
  list(APPEND TRACTION_MAN_GZ ${gz})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()

# Debian wants a copyright file and a gzipped changelog in the package's doc directory.
set(TRACTION_CHANGELOG_GZ ${CMAKE_BINARY_DIR}/debian/changelog.gz)
configure_file(cmake/debian/changelog.in ${CMAKE_BINARY_DIR}/debian/changelog @ONLY)
add_custom_command(OUTPUT ${TRACTION_CHANGELOG_GZ}
  COMMAND ${TRACTION_GZIP} -9n -c ${CMAKE_BINARY_DIR}/debian/changelog > ${TRACTION_CHANGELOG_GZ}
  DEPENDS ${CMAKE_BINARY_DIR}/debian/changelog VERBATIM)
add_custom_target(traction_install_docs ALL DEPENDS ${TRACTION_MAN_GZ} ${TRACTION_CHANGELOG_GZ})
install(FILES ${TRACTION_CHANGELOG_GZ} cmake/debian/copyright DESTINATION ${TRACTION_DOC_DIR})
install(FILES docs/service.md docs/configuration.md docs/protocol.md docs/programs.md docs/web.md
              docs/mqtt.md
        DESTINATION ${TRACTION_DOC_DIR})

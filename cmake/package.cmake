# SPDX-License-Identifier: Apache-2.0
# The Debian package (cpack -G DEB in the build directory, or scripts/package): one package
# "tractiond" with the daemon, the web panel (tractiond-web), the MQTT bridge (tractiond-mqtt),
# tractionctl and traction-sim. Library dependencies come from
# dpkg-shlibdeps (Debian package names); /etc/tractiond/tractiond.json is a conffile; the maintainer
# scripts create the user (sysusers.d), enable and start the socket and the service, and honour
# $DPKG_ROOT so that the package can be installed into a directory without touching the system.
# `cpack` and `ninja install` install what is built and do not build the whole tree (tests included)
# first: scripts/package builds the installed targets.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tractiond)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "tractiond maintainers <maintainers@tractiond.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "controller for motorized inversion tables and traction benches")
# The extended description; CPack puts the summary above it and indents it as Debian wants.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "tractiond drives one motorized inversion table or traction bench through
Modbus TCP or RTU. It runs decompression programs of ramps, holds and rests
within device, site and per-person limits, and can always bring the person
back to a safe state. tractionctl controls it over a local JSON-RPC socket;
tractiond-web serves a bedside panel for a tablet or a phone;
tractiond-mqtt puts the device on an MQTT broker (Home Assistant, a fleet).
traction-sim is a simulated device that speaks real Modbus.

tractiond is not a certified medical device.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# procps: /bin/kill; libjs-chart.js: the panel's plot, served from its installed path.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd, init-system-helpers (>= 1.50), procps, libjs-chart.js")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/cmake/debian/conffiles ${PROJECT_SOURCE_DIR}/cmake/debian/postinst
    ${PROJECT_SOURCE_DIR}/cmake/debian/prerm ${PROJECT_SOURCE_DIR}/cmake/debian/postrm)
include(CPack)

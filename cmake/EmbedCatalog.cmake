# Builds the model catalog into the binary (cmake -P): IN json -> OUT header with a raw string.
file(READ ${IN} text)
set(content "#pragma once\n// Generated from model/catalog.json; edit that file.\ninline constexpr const char* kModelCatalogJson = R\"catalog(${text})catalog\";\n")
include(${CMAKE_CURRENT_LIST_DIR}/WriteIfChanged.cmake)
write_if_changed(${OUT} "${content}")

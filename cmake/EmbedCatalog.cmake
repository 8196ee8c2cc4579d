# Builds the model catalog into the binary (cmake -P): IN json -> OUT header with a raw string.
file(READ ${IN} text)
set(content "#pragma once\n// Generated from model/catalog.json; edit that file.\ninline constexpr const char* kModelCatalogJson = R\"catalog(${text})catalog\";\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUT} "${content}")
endif()

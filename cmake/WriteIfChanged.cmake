# write_if_changed(PATH CONTENT): writes a generated file only when its content changes, so what
# includes it is not rebuilt on every build. Included by the cmake -P generators here.
function(write_if_changed path content)
  set(old "")
  if(EXISTS ${path})
    file(READ ${path} old)
  endif()
  if(NOT "${old}" STREQUAL "${content}")
    file(WRITE ${path} "${content}")
  endif()
endfunction()

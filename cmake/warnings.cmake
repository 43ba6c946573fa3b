# Warnings for every dtf target (third-party headers are included as SYSTEM).
function(dtf_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
endfunction()

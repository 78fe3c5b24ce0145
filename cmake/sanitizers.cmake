# Sanitizer builds apply to every target of the tree (library, tools, tests),
# because a sanitizer runtime must see all the code that touches the memory.
if(REDKIT_ASAN)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(REDKIT_TSAN)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

# The dining philosophers' table view; paths relative to ui/.
set(PHILOSOPHERS_SOURCES
  philosophers/tablestate.h philosophers/tablestate.cpp
  philosophers/tablegeometry.h philosophers/tablegeometry.cpp
  philosophers/tablepainter.h philosophers/tablepainter.cpp
  philosophers/tablelegend.h philosophers/tablelegend.cpp
  philosophers/philosophersview.h philosophers/philosophersview.cpp
)

# The speedup chart of the Amdahl scenario; paths relative to ui/.
set(SPEEDUP_SOURCES
  speedup/speedupdata.h speedup/speedupdata.cpp
  speedup/speedupchart.h speedup/speedupchart.cpp
)

# The Gantt timeline view; paths relative to ui/.
set(GANTT_SOURCES
  gantt/timemapping.h gantt/timemapping.cpp
  gantt/lanelayout.h gantt/lanelayout.cpp
  gantt/statestyle.h gantt/statestyle.cpp
  gantt/chartstyle.h gantt/chartstyle.cpp
  gantt/timeaxis.h gantt/timeaxis.cpp
  gantt/laneaxis.h gantt/laneaxis.cpp
  gantt/columndraw.h gantt/columndraw.cpp
  gantt/segmentpainter.h gantt/segmentpainter.cpp
  gantt/segmentlabels.h gantt/segmentlabels.cpp
  gantt/segmenttooltip.h gantt/segmenttooltip.cpp
  gantt/slicedfill.h gantt/slicedfill.cpp
  gantt/wakearrows.h gantt/wakearrows.cpp
  gantt/timelineitem.h gantt/timelineitem.cpp
  gantt/ganttview.h gantt/ganttview.cpp gantt/ganttinput.cpp
  gantt/timelineimage.h gantt/timelineimage.cpp
)

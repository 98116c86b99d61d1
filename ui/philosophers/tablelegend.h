#pragma once
#include "tablestate.h"
#include "theme.h"

class QPainter;
class TableGeometry;

// The header above the table (title, seat count, time shown, and the deadlock
// caption once the cycle has closed) and the legend below it, in `colors`' text over
// its background.
void paintTableHeader(QPainter &painter, const TableGeometry &geometry, const TableState &table,
                      bool live, const ViewColors &colors);
void paintTableLegend(QPainter &painter, const TableGeometry &geometry, const ViewColors &colors);

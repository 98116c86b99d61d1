#pragma once
#include "tablestate.h"

class QPainter;
class TableGeometry;

// The header above the table (title, seat count, time shown, and the deadlock
// caption once the cycle has closed) and the legend below it.
void paintTableHeader(QPainter &painter, const TableGeometry &geometry, const TableState &table,
                      bool live);
void paintTableLegend(QPainter &painter, const TableGeometry &geometry);

#pragma once
#include "theme.h"

class QChart;

// Gives a chart the colours of the widgets around it: background, title, legend labels,
// and every axis's labels, title, line and grid. Qt Charts' own themes would pick other
// greys and blues and reset the series; explicit colours keep the charts and the
// widgets alike in light and dark. Series colours are the caller's.
void styleChart(QChart &chart, const ViewColors &colors);

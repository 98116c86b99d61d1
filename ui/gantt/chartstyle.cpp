#include "chartstyle.h"

#include <QAbstractAxis>
#include <QChart>
#include <QLegend>

void styleChart(QChart &chart, const ViewColors &colors)
{
    chart.setBackgroundBrush(colors.background);
    chart.setBackgroundPen(Qt::NoPen);
    chart.setPlotAreaBackgroundVisible(false);
    chart.setTitleBrush(colors.text);
    chart.legend()->setLabelColor(colors.text);
    const QList<QAbstractAxis *> axes = chart.axes();
    for (QAbstractAxis *axis : axes) {
        axis->setLabelsBrush(colors.text);
        axis->setTitleBrush(colors.text);
        // Only the colours: the widths stay the chart's own.
        axis->setLinePenColor(colors.axisLine);
        axis->setGridLineColor(colors.grid);
        axis->setMinorGridLineColor(colors.grid);
    }
}

#include "laneaxis.h"

#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace {
constexpr double kMaxLabelWidth = 170.0;
constexpr double kLabelSpacing = 2.0;
} // namespace

int laneLabelStep(int laneCount, double plotHeight, double labelHeight)
{
    if (laneCount <= 0 || !(plotHeight > 0.0))
        return 1;
    const double row = plotHeight / laneCount;
    return std::max(1, int(std::ceil((labelHeight + kLabelSpacing) / row - 1e-9)));
}

void setLaneCategories(QCategoryAxis &axis, const QStringList &names, int step)
{
    for (const QString &label : axis.categoriesLabels())
        axis.remove(label);

    const int count = int(names.size());
    step = std::max(1, step);
    axis.setStartValue(0.0);
    axis.setRange(0.0, std::max(1, count));

    // Category labels are keys (QCategoryAxis refuses duplicates) and are shown as
    // rich text, so names are escaped and repeated names get an invisible suffix.
    const QFontMetricsF metrics(axis.labelsFont());
    QSet<QString> used;
    // Categories go bottom-up: the last lane is at the bottom of the axis.
    for (int lane = count - 1; lane >= 0; --lane) {
        if (lane % step != 0)
            continue;
        QString label =
            metrics.elidedText(names[lane], Qt::ElideMiddle, kMaxLabelWidth).toHtmlEscaped();
        while (used.contains(label))
            label += QChar(0x200b);
        used.insert(label);
        axis.append(label, count - lane - 0.5);
    }
}

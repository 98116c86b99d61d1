#include "laneaxis.h"

#include "lanelayout.h"

#include <QCategoryAxis>
#include <QFontMetricsF>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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

void setLaneCategories(QCategoryAxis &axis, const QStringList &names, const LaneLayout &layout,
                       double labelHeight)
{
    for (const QString &label : axis.categoriesLabels())
        axis.remove(label);

    const int count = std::min(int(names.size()), layout.laneCount);
    const double height = layout.area.height();
    const double unit = layout.rowHeight() > 0.0 ? layout.rowHeight() : std::max(1.0, height);
    axis.setStartValue(0.0);
    axis.setRange(0.0, count > 0 && height > 0.0 ? height / unit : 1.0);
    if (count == 0 || !(height > 0.0))
        return;

    // Centres in pixels from the top of the area, placed greedily so none come closer
    // than a label's height; a tiny tolerance keeps equal rows on an even step.
    const double minDistance = labelHeight + kLabelSpacing - 1e-6;
    std::vector<std::pair<double, int>> placed; // (centre, lane), sorted by centre
    const auto fits = [&](double centre) {
        const auto it = std::lower_bound(placed.begin(), placed.end(), std::pair(centre, -1));
        if (it != placed.end() && it->first - centre < minDistance)
            return false;
        return it == placed.begin() || centre - std::prev(it)->first >= minDistance;
    };
    for (const LaneMode wanted : {LaneMode::Normal, LaneMode::Collapsed}) {
        for (int lane = 0; lane < count; ++lane) {
            if (layout.mode(lane) != wanted)
                continue;
            const double centre = layout.laneCentreY(lane) - layout.area.top();
            if (!fits(centre))
                continue;
            const std::pair entry(centre, lane);
            placed.insert(std::lower_bound(placed.begin(), placed.end(), entry), entry);
        }
    }

    // Category labels are keys (QCategoryAxis refuses duplicates) and are shown as
    // rich text, so names are escaped and repeated names get an invisible suffix.
    const QFontMetricsF metrics(axis.labelsFont());
    QSet<QString> used;
    // Categories go bottom-up: the lowest row first.
    for (auto it = placed.rbegin(); it != placed.rend(); ++it) {
        QString label =
            metrics.elidedText(names[it->second], Qt::ElideMiddle, kMaxLabelWidth).toHtmlEscaped();
        while (used.contains(label))
            label += QChar(0x200b);
        used.insert(label);
        axis.append(label, (height - it->first) / unit);
    }
}

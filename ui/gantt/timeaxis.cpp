#include "timeaxis.h"

#include <QValueAxis>

#include <algorithm>
#include <cmath>

double niceTickStepMs(double spanMs, double widthPx, double minPixelsPerTick)
{
    if (!(spanMs > 0.0) || !(widthPx > 0.0))
        return 1.0;
    const double maxTicks = std::max(1.0, std::floor(widthPx / minPixelsPerTick));
    const double rough = spanMs / maxTicks;
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    for (const double mantissa : {1.0, 2.0, 5.0}) {
        // The tolerance keeps a rough step of exactly 2 × 10^k from becoming 5 × 10^k.
        if (mantissa * power >= rough * (1.0 - 1e-9))
            return mantissa * power;
    }
    return 10.0 * power;
}

int tickDecimals(double stepMs)
{
    if (!(stepMs > 0.0))
        return 0;
    return std::max(0, int(std::ceil(-std::log10(stepMs) - 1e-9)));
}

void setTimeAxisRange(QValueAxis &axis, double fromMs, double toMs, double widthPx)
{
    const double step = niceTickStepMs(toMs - fromMs, widthPx);
    axis.setTickType(QValueAxis::TicksDynamic);
    axis.setTickAnchor(0.0);
    axis.setTickInterval(step);
    axis.setLabelFormat(QStringLiteral("%.%1f").arg(tickDecimals(step)));
    axis.setRange(fromMs, toMs);
}

#pragma once

class QValueAxis;

// Tick spacing for a time axis: 1, 2 or 5 × 10^k milliseconds, the smallest such step
// that leaves at least minPixelsPerTick between labels.
double niceTickStepMs(double spanMs, double widthPx, double minPixelsPerTick = 90.0);
// Decimals needed so that labels a `stepMs` apart read differently.
int tickDecimals(double stepMs);

// Shows [fromMs, toMs] on `axis` with round tick values anchored at 0.
void setTimeAxisRange(QValueAxis &axis, double fromMs, double toMs, double widthPx);

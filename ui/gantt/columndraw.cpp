#include "columndraw.h"

#include "statestyle.h"

#include "lod.h"

#include <QImage>
#include <QPainter>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

namespace columndraw {
namespace {

constexpr std::uint8_t kNone = il::kNoColumnState;

std::array<QRgb, il::kStateCount> stateColors(bool dark)
{
    std::array<QRgb, il::kStateCount> colors{};
    for (int s = 0; s < il::kStateCount; ++s)
        colors[std::size_t(s)] = stateColor(il::State(s), dark).rgba();
    return colors;
}

std::uint8_t mixedAt(const LaneColumns &lane, std::size_t c)
{
    return c < lane.mixedWith.size() ? lane.mixedWith[c] : kNone;
}

} // namespace

int stripeRows(double unit)
{
    return std::max(2, int(std::lround(3.0 * unit)));
}

int fillRuns(QPainter &painter, const QRect &bar, const LaneColumns &lane, int stripe, bool dark)
{
    int fills = 0;
    const int n = int(lane.states.size());
    for (int from = 0; from < n;) {
        const std::uint8_t state = lane.states[std::size_t(from)];
        const std::uint8_t mixed = mixedAt(lane, std::size_t(from));
        int to = from + 1;
        while (to < n && lane.states[std::size_t(to)] == state &&
               mixedAt(lane, std::size_t(to)) == mixed)
            ++to;
        if (state != kNone) {
            const QRect run(bar.left() + from, bar.top(), to - from, bar.height());
            painter.fillRect(run, stateColor(il::State(state), dark));
            ++fills;
            if (mixed != kNone)
                for (int y = stripe; y < run.height(); y += 2 * stripe) {
                    painter.fillRect(QRect(run.left(), run.top() + y, run.width(),
                                           std::min(stripe, run.height() - y)),
                                     stateColor(il::State(mixed), dark));
                    ++fills;
                }
        }
        from = to;
    }
    return fills;
}

void blitRows(QPainter &painter, const QRect &target, const QRgb *row, const QRgb *other,
              int stripe, QImage &buffer)
{
    if (target.isEmpty())
        return;
    if (buffer.size() != target.size())
        buffer = QImage(target.size(), QImage::Format_ARGB32_Premultiplied);
    const std::size_t bytes = std::size_t(target.width()) * sizeof(QRgb);
    for (int y = 0; y < target.height(); ++y) {
        const bool second = other && stripe > 0 && (y / stripe) % 2 == 1;
        std::memcpy(buffer.scanLine(y), second ? other : row, bytes);
    }
    painter.drawImage(target.topLeft(), buffer);
}

void drawRows(QPainter &painter, const QRect &bar, const LaneColumns &lane, int stripe, bool dark,
              std::vector<QRgb> &rows, QImage &buffer)
{
    const auto colors = stateColors(dark);
    const std::size_t n = lane.states.size();
    rows.resize(2 * n);
    QRgb *first = rows.data();
    QRgb *second = rows.data() + n;
    bool anyMixed = false;
    for (std::size_t c = 0; c < n; ++c) {
        const std::uint8_t state = lane.states[c];
        const std::uint8_t mixed = mixedAt(lane, c);
        first[c] = state == kNone ? 0u : colors[state];
        second[c] = mixed == kNone ? first[c] : colors[mixed];
        anyMixed |= mixed != kNone && state != kNone;
    }
    blitRows(painter, QRect(bar.left(), bar.top(), int(n), bar.height()), first,
             anyMixed ? second : nullptr, stripe, buffer);
}

} // namespace columndraw

#pragma once
#include "lanelayout.h"
#include "theme.h"
#include "timeline.h"
#include "timemapping.h"
#include "wakes.h"

#include <cstdint>
#include <optional>
#include <vector>

class QPainter;

// "Who woke whom": an arrow from each release (time, waker's bar) to the acquire it
// allowed (time, woken lane's bar), with its head on the woken lane. Drawn only when
// they can be read: at most kMaxArrows in view and on average kMinPixelsApart logical
// pixels apart. Windows holding more than kMaxSegments segments are not even searched,
// so a zoomed-out frame of a long run pays a few binary searches per lane.
//
// One object lives as long as the view and remembers what it found for the last
// window: a repaint of the same range over the same events does not search again.
class WakeArrows {
public:
    static constexpr std::size_t kMaxArrows = 200;
    static constexpr double kMinPixelsApart = 8.0;
    static constexpr std::size_t kMaxSegments = 20'000;
    // Up to this many arrows their shafts are antialiased; beyond it they are drawn
    // crisp, which costs a tenth as much and reads the same over the halo.
    static constexpr std::size_t kMaxSmoothShafts = 40;

    // The hand-overs to draw in `map`'s window: empty when there are too many to read,
    // and never one that touches a hidden lane of `layout`.
    std::vector<il::Wake> readable(const il::Timeline &timeline, const TimeMapping &map,
                                   const LaneLayout &layout);
    // Paints readable() in colors.arrow over a halo of colors.arrowHalo; returns how many
    // arrows were drawn.
    int paint(QPainter &painter, const il::Timeline &timeline, const TimeMapping &map,
              const LaneLayout &layout, const ViewColors &colors = {});
    // Drops what was found, e.g. when the timeline is replaced by another.
    void forget() { m_key.reset(); }

private:
    // What the found hand-overs depend on: the window, how many may be shown, and the
    // timeline's contents (they only change by adding, closing or discarding events).
    struct Key {
        const il::Timeline *timeline = nullptr;
        std::uint64_t events = 0;
        std::uint64_t discarded = 0;
        std::int64_t endNs = 0;
        qint64 fromNs = 0;
        qint64 toNs = 0;
        std::size_t fit = 0;

        bool operator==(const Key &) const = default;
    };

    std::optional<Key> m_key;
    std::vector<il::Wake> m_found; // every lane's, or empty when too many
};

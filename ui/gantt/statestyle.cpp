#include "statestyle.h"

#include "theme.h"

QColor stateColor(il::State state, bool darkBackground)
{
    if (darkBackground && state == il::State::Finished)
        return QColor(0x4a, 0x50, 0x58);
    if (darkBackground && state == il::State::Unrecorded)
        return QColor(0xd4, 0xd4, 0xd4);
    switch (state) {
    case il::State::Running: return QColor(0x00, 0x9e, 0x73);
    case il::State::Blocked: return QColor(0xd5, 0x5e, 0x00);
    case il::State::Spinning: return QColor(0xcc, 0x3d, 0x9a);
    case il::State::Critical: return QColor(0x00, 0x72, 0xb2);
    case il::State::Sleeping: return QColor(0x9a, 0xab, 0xbd);
    case il::State::Preempted: return QColor(0xe6, 0xc2, 0x29);
    case il::State::Finished: return QColor(0xd9, 0xd9, 0xd9);
    case il::State::Unrecorded: return QColor(0x3a, 0x3a, 0x3a);
    case il::State::Count: break;
    }
    return QColor(Qt::black);
}

QString stateLabel(il::State state)
{
    const std::string_view name = il::state_name(state);
    return QString::fromUtf8(name.data(), qsizetype(name.size()));
}

int stateInterest(il::State state)
{
    switch (state) {
    case il::State::Blocked: return 6;
    case il::State::Spinning: return 5;
    case il::State::Critical: return 4;
    case il::State::Preempted: return 3;
    case il::State::Running: return 2;
    case il::State::Sleeping: return 1;
    case il::State::Unrecorded: return 7; // a hole in the record must never be painted over
    case il::State::Finished:
    case il::State::Count: break;
    }
    return 0;
}

QColor markColor(std::int64_t code, bool darkBackground)
{
    switch (code) {
    case il::kMarkDeadlock:
    case il::kMarkViolation:
        return darkBackground ? QColor(0xff, 0x4d, 0x5e) : QColor(0xd0, 0x10, 0x20);
    case il::kMarkWasted: return QColor(0xe6, 0x9f, 0x00);
    default: return darkBackground ? QColor(0xf0, 0xf0, 0xf0) : QColor(0x20, 0x20, 0x20);
    }
}

QColor textColorOn(const QColor &fill)
{
    // Whichever contrasts more (WCAG ratio): on the green of running, dark text reads
    // at 5:1 where white would give only 3:1.
    const QColor dark(0x1a, 0x1a, 0x1a);
    const QColor white(Qt::white);
    return contrastRatio(fill, dark) > contrastRatio(fill, white) ? dark : white;
}

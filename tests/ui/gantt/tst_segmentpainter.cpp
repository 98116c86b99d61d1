#include "gantt/segmentpainter.h"
#include "gantt/statestyle.h"

#include "../timelinefixtures.h"

#include <QImage>
#include <QPainter>
#include <QTest>

#include <random>

// What SegmentPainter draws for a long run: every lane's columns as classifyLane()
// judges them, however the work is split between threads, and ticks that look the same
// drawn as fills (SVG) or as rows of pixels (the screen).
class TstSegmentPainter : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void paintedColumnsMatchClassification();
    void ticksLookTheSameInBothOutputs();

private:
    il::Timeline m_timeline;
    TimeMapping m_map;
    LaneLayout m_layout;
};

namespace {

constexpr int kLanes = 8;
constexpr int kPerLane = 30'000; // 240k segments: past SegmentPainter::kSplitAtSegments
constexpr int kWidth = 700;

} // namespace

void TstSegmentPainter::initTestCase()
{
    static_assert(std::size_t(kLanes) * kPerLane >= SegmentPainter::kSplitAtSegments);
    std::mt19937 rng(20261205);
    il::Batch batch;
    for (int lane = 0; lane < kLanes; ++lane)
        batch.newLanes.push_back("lane " + std::to_string(lane));
    for (int lane = 0; lane < kLanes; ++lane) {
        qint64 t = lane * 7;
        for (int i = 0; i < kPerLane; ++i) {
            const auto state = il::State(rng() % std::uint32_t(il::State::Finished));
            batch.events.push_back(fixtures::stateEvent(t, il::LaneId(lane), state));
            if (rng() % 50 == 0)
                batch.events.push_back(fixtures::markEvent(t, il::LaneId(lane)));
            t += 20 + qint64(rng() % (rng() % 8 == 0 ? 5000 : 200));
        }
    }
    fixtures::applySorted(m_timeline, batch);
    m_timeline.close(m_timeline.end_ns() + 100);
    m_map.setRange(0, m_timeline.end_ns());
    m_map.left = 30.0;
    m_map.width = kWidth;
    m_layout = LaneLayout(QRectF(30, 10, kWidth, kLanes * 20), kLanes, 1.0);
}

void TstSegmentPainter::paintedColumnsMatchClassification()
{
    const SegmentPainter painter(m_timeline, m_map, m_layout);
    for (const auto output : {SegmentPainter::Output::Scanlines, SegmentPainter::Output::Rects}) {
        QImage image(kWidth + 60, kLanes * 20 + 20, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::white);
        QPainter p(&image);
        QCOMPARE(painter.paintLanes(p, 0, kLanes - 1, output) > 0, true);
        p.end();
        std::vector<std::uint8_t> columns;
        for (int lane = 0; lane < kLanes; ++lane) {
            painter.classifyLane(lane, columns);
            QCOMPARE(int(columns.size()), kWidth);
            const int y = int(m_layout.barRect(lane).center().y());
            for (int c = 0; c < kWidth; ++c) {
                const QRgb expected = columns[std::size_t(c)] == SegmentPainter::kNoState
                                          ? qRgb(255, 255, 255)
                                          : stateColor(il::State(columns[std::size_t(c)])).rgb();
                QVERIFY2(image.pixel(30 + c, y) == expected,
                         qPrintable(QStringLiteral("lane %1 column %2").arg(lane).arg(c)));
            }
        }
    }
}

void TstSegmentPainter::ticksLookTheSameInBothOutputs()
{
    const SegmentPainter painter(m_timeline, m_map, m_layout);
    QImage images[2];
    int ticks[2] = {};
    int i = 0;
    for (const auto output : {SegmentPainter::Output::Scanlines, SegmentPainter::Output::Rects}) {
        images[i] = QImage(kWidth + 60, kLanes * 20 + 20, QImage::Format_ARGB32_Premultiplied);
        images[i].fill(Qt::white);
        QPainter p(&images[i]);
        ticks[i] = painter.paintMarks(p, 0, kLanes - 1, output);
        ++i;
    }
    // Hundreds a lane: the screen draws them as rows of pixels, SVG as fills.
    QVERIFY(ticks[0] > kLanes * 100);
    QCOMPARE(ticks[0], ticks[1]);
    QCOMPARE(images[0], images[1]);
}

QTEST_MAIN(TstSegmentPainter)
#include "tst_segmentpainter.moc"

#include "gantt/segmentlabels.h"
#include "gantt/statestyle.h"

#include "timeline.h"

#include <QImage>
#include <QPainter>
#include <QTest>

#include <set>

// Labels inside segments: written where a segment is wide enough to read, skipped where
// it is not, however many segments the run holds.
class TstSegmentLabels : public QObject {
    Q_OBJECT

    static il::Event state(qint64 t, il::State s, il::ResourceId r)
    {
        il::Event e;
        e.t_ns = t;
        e.state = s;
        e.resource = r;
        return e;
    }

    // One lane: `count` segments of `lengthNs` each, alternating between two labels.
    static void build(il::Timeline &timeline, int count, qint64 lengthNs)
    {
        il::Batch b;
        b.newLanes = {"worker 0"};
        b.newResources = {"task 1", "task 2"};
        for (int i = 0; i < count; ++i)
            b.events.push_back(state(i * lengthNs, il::State::Sleeping, il::ResourceId(1 + i % 2)));
        b.events.push_back(state(count * lengthNs, il::State::Finished, il::kNoResource));
        timeline.apply(b);
        timeline.close(count * lengthNs);
    }

    // Paints the labels of lane 0 over a bar filled with the state's colour; returns the
    // label count and the distinct colours inside the bar.
    static int paint(const il::Timeline &timeline, qint64 spanNs, std::set<QRgb> *colours = nullptr,
                     int height = 40)
    {
        QImage image(800, height, QImage::Format_ARGB32_Premultiplied);
        image.fill(stateColor(il::State::Sleeping));
        TimeMapping map;
        map.setRange(0, spanNs);
        map.left = 0;
        map.width = 800;
        const LaneLayout layout{QRectF(0, 0, 800, height), 1, 1.0};
        QPainter painter(&image);
        const int n = SegmentLabels(timeline, map, layout).paint(painter, 0, 0);
        painter.end();
        if (colours) {
            const QRect bar = layout.barRect(0).toRect();
            for (int y = bar.top(); y <= bar.bottom(); ++y)
                for (int x = 0; x < 800; ++x)
                    colours->insert(image.pixel(x, y));
        }
        return n;
    }

private slots:
    void wideSegmentsAreLabelled()
    {
        il::Timeline timeline;
        build(timeline, 4, 1'000'000); // 4 segments of 200 px each
        std::set<QRgb> colours;
        QCOMPARE(paint(timeline, 4'000'000, &colours), 4);
        QVERIFY2(colours.size() > 2, "no text was drawn inside the bar");
        // Neighbours in one state are told apart by a white hairline where each begins.
        QVERIFY2(colours.count(qRgb(255, 255, 255)), "no boundary between the segments");
    }

    // Text shrunk to fit a thin bar would be unreadable clutter: none is written.
    void thinBarsGetNoText()
    {
        il::Timeline timeline;
        build(timeline, 4, 1'000'000);
        QCOMPARE(paint(timeline, 4'000'000, nullptr, 14), 0);
    }

    void narrowSegmentsAreNot()
    {
        il::Timeline timeline;
        build(timeline, 400, 1'000); // 2 px each
        std::set<QRgb> colours;
        QCOMPARE(paint(timeline, 400'000, &colours), 0);
        QCOMPARE(colours.size(), std::size_t(1));
    }

    void unlabelledSegmentsStayPlain()
    {
        il::Timeline timeline;
        il::Batch b;
        b.newLanes = {"main"};
        b.events = {state(0, il::State::Running, il::kNoResource),
                    state(1'000'000, il::State::Finished, il::kNoResource)};
        timeline.apply(b);
        timeline.close(1'000'000);
        QCOMPARE(paint(timeline, 1'000'000), 0);
    }

    void aMillionSegmentsCostOnlyWhatIsWideEnough()
    {
        il::Timeline timeline;
        build(timeline, 1'000'000, 1'000);
        // Zoomed out: 1M segments of 0.0008 px; nothing is wide enough.
        QCOMPARE(paint(timeline, 1'000'000'000), 0);
        // Zoomed in to 40 segments: each 20 px, still too narrow for text.
        QCOMPARE(paint(timeline, 40'000), 0);
        // 10 segments of 80 px: all labelled.
        QCOMPARE(paint(timeline, 10'000), 10);
    }
};

QTEST_MAIN(TstSegmentLabels)
#include "tst_segmentlabels.moc"

// Light and dark: the palettes, the guess at the desktop's preference, and what the
// views do with them. Each view must turn dark with the application palette and back,
// keep its text readable on both, and export light images whatever the screen shows.
//
// With INTERLEAVE_THEME_SHOTS=<dir> the views are also saved there as PNGs to look at.
#include "gantt/ganttview.h"
#include "gantt/statestyle.h"
#include "gantt/timelineimage.h"
#include "philosophers/philosophersview.h"
#include "philosophers/tablefixtures.h"
#include "speedup/speedupchart.h"
#include "theme.h"
#include "timelinefixtures.h"

#include <QApplication>
#include <QCategoryAxis>
#include <QChart>
#include <QDir>
#include <QFile>
#include <QLegend>
#include <QStyle>
#include <QTemporaryDir>
#include <QTest>
#include <QValueAxis>

namespace {

using fixtures::applySorted;
using fixtures::markEvent;
using fixtures::stateEvent;
using il::State;
constexpr qint64 ms = 1'000'000;

// Five lanes through every state, with labels, marks and a hand-over of the mutex.
void buildShowcase(il::Timeline &timeline)
{
    il::Batch b;
    b.newLanes = {"main", "worker 1", "worker 2", "worker 3", "child"};
    b.newResources = {"counter mutex", "spinlock", "task 7"};
    const auto at = [](qint64 t, int lane, State s, il::ResourceId r = 0) {
        return stateEvent(t * ms, il::LaneId(lane), s, r);
    };
    b.events = {
        at(0, 0, State::Running),     at(2, 0, State::Sleeping),    at(15, 0, State::Running),
        at(18, 0, State::Finished),   at(0, 1, State::Critical, 1), at(4, 1, State::Running),
        at(6, 1, State::Blocked, 1),  at(8, 1, State::Critical, 1), at(12, 1, State::Preempted),
        at(14, 1, State::Running),    at(17, 1, State::Finished),   at(0, 2, State::Blocked, 1),
        at(4, 2, State::Critical, 1), at(8, 2, State::Running),     at(10, 2, State::Spinning, 2),
        at(13, 2, State::Running),    at(16, 2, State::Finished),   at(0, 3, State::Running),
        at(5, 3, State::Unrecorded),  at(11, 3, State::Running),    at(14, 3, State::Finished),
        at(0, 4, State::Sleeping, 3), at(9, 4, State::Running, 3),  at(19, 4, State::Finished),
        markEvent(3 * ms, 3),
    };
    il::Event deadlock = markEvent(12 * ms, 2);
    deadlock.value = il::kMarkDeadlock;
    b.events.push_back(deadlock);
    applySorted(timeline, b);
    timeline.close(20 * ms);
}

std::optional<SpeedupData> speedupData()
{
    SpeedupData d;
    d.threads = {1, 2, 3, 4};
    d.speedup = {0.98, 1.7, 1.8, 1.85};
    d.theoretical = {1.0, 1.82, 2.5, 3.08};
    d.cores = 2;
    return d;
}

QImage grabbed(QWidget &widget, const QString &shotName)
{
    const QImage image = widget.grab().toImage().convertToFormat(QImage::Format_RGB32);
    const QString dir = qEnvironmentVariable("INTERLEAVE_THEME_SHOTS");
    if (!dir.isEmpty() && QDir().mkpath(dir))
        image.save(dir + QLatin1Char('/') + shotName + QLatin1String(".png"));
    return image;
}

// The colour most pixels of `area` have: the background behind whatever is drawn.
QColor dominant(const QImage &image, const QRect &area)
{
    QHash<QRgb, int> counts;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            ++counts[image.pixel(x, y)];
    QRgb best = 0;
    int most = -1;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        if (it.value() > most) {
            best = it.key();
            most = it.value();
        }
    return QColor(best);
}

// Pixels of `area` that contrast with `background` at least 4.5 : 1: drawn text, lines.
int inked(const QImage &image, const QRect &area, const QColor &background)
{
    int n = 0;
    for (int y = area.top(); y <= area.bottom(); ++y)
        for (int x = area.left(); x <= area.right(); ++x)
            n += contrastRatio(QColor(image.pixel(x, y)), background) >= 4.5 ? 1 : 0;
    return n;
}

bool dark(const QColor &c)
{
    return relativeLuminance(c) < 0.05;
}

bool light(const QColor &c)
{
    return relativeLuminance(c) > 0.8;
}

} // namespace

class TstTheme : public QObject {
    Q_OBJECT
private slots:
    void cleanup() { applyTheme(*qApp, ThemeChoice::Light); }

    void choiceKeysRoundTrip()
    {
        for (const ThemeChoice c : {ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark})
            QCOMPARE(themeChoiceFromKey(themeChoiceKey(c)), std::optional<ThemeChoice>(c));
        QCOMPARE(themeChoiceFromKey(QStringLiteral("Dark")),
                 std::optional<ThemeChoice>(ThemeChoice::Dark));
        QCOMPARE(themeChoiceFromKey(QStringLiteral("sepia")), std::nullopt);
    }

    void palettesAreWhatTheySay()
    {
        QVERIFY(isDark(darkPalette()));
        QVERIFY(!isDark(lightPalette()));
        QVERIFY(!isDark(exportPalette()));
        // Every role pair a widget draws text with reads at 4.5 : 1 or better.
        for (const QPalette &p : {lightPalette(), darkPalette()}) {
            QVERIFY(contrastRatio(p.color(QPalette::Window), p.color(QPalette::WindowText)) >= 7);
            QVERIFY(contrastRatio(p.color(QPalette::Base), p.color(QPalette::Text)) >= 7);
            QVERIFY(contrastRatio(p.color(QPalette::Button), p.color(QPalette::ButtonText)) >= 7);
            QVERIFY(contrastRatio(p.color(QPalette::ToolTipBase), p.color(QPalette::ToolTipText)) >=
                    7);
            QVERIFY(contrastRatio(p.color(QPalette::Highlight),
                                  p.color(QPalette::HighlightedText)) >= 3);
            QVERIFY(contrastRatio(p.color(QPalette::Base), p.color(QPalette::PlaceholderText)) >=
                    4.5);
        }
        // The default ViewColors are the export look.
        const ViewColors exported = viewColors(exportPalette());
        QCOMPARE(exported.background, ViewColors{}.background);
        QCOMPARE(exported.text, ViewColors{}.text);
        QCOMPARE(exported.background, QColor(Qt::white));
    }

    void applyThemeSetsTheApplicationPalette()
    {
        applyTheme(*qApp, ThemeChoice::Dark);
        QVERIFY(isDark(QApplication::palette()));
        QCOMPARE(QApplication::style()->name().toLower(), QStringLiteral("fusion"));
        // Qt tells the windows on screen through their event queue, and they their children.
        QWidget window;
        auto *child = new QWidget(&window);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(isDark(child->palette()));
        applyTheme(*qApp, ThemeChoice::Light);
        QVERIFY(!isDark(QApplication::palette()));
        QTRY_VERIFY(!isDark(child->palette()));
    }

    void systemPreferenceIsReadFromTheDesktop()
    {
        QTemporaryDir config;
        QVERIFY(config.isValid());
        const QByteArray oldConfig = qgetenv("XDG_CONFIG_HOME");
        const QByteArray oldGtk = qgetenv("GTK_THEME");
        qputenv("XDG_CONFIG_HOME", config.path().toLocal8Bit());
        qunsetenv("GTK_THEME");
        const auto write = [&](const QString &name, const QByteArray &text) {
            QDir(config.path()).mkpath(QFileInfo(config.filePath(name)).path());
            QFile file(config.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
            file.write(text);
        };

        QVERIFY(!systemPrefersDark()); // nothing says so; the offscreen platform is light
        write("kdeglobals", "[General]\nName=Breeze Dark\n\n[Colors:Window]\n"
                            "BackgroundAlternate=49,54,59\nBackgroundNormal=49,54,59\n");
        QVERIFY(systemPrefersDark());
        write("gtk-3.0/settings.ini", "[Settings]\ngtk-theme-name=Adwaita\n");
        QVERIFY(!systemPrefersDark()); // GTK's answer comes before KDE's
        write("gtk-3.0/settings.ini", "[Settings]\ngtk-application-prefer-dark-theme=1\n");
        QVERIFY(systemPrefersDark());
        write("gtk-3.0/settings.ini", "[Settings]\ngtk-application-prefer-dark-theme=false\n");
        QVERIFY(!systemPrefersDark());
        qputenv("GTK_THEME", "Adwaita:dark");
        QVERIFY(systemPrefersDark());
        qputenv("GTK_THEME", "Adwaita");
        QVERIFY(!systemPrefersDark());

        applyTheme(*qApp, ThemeChoice::System);
        QVERIFY(!isDark(QApplication::palette()));
        qputenv("GTK_THEME", "Adwaita:dark");
        applyTheme(*qApp, ThemeChoice::System);
        QVERIFY(isDark(QApplication::palette()));

        const auto restore = [](const char *name, const QByteArray &old) {
            if (old.isNull())
                qunsetenv(name);
            else
                qputenv(name, old);
        };
        restore("XDG_CONFIG_HOME", oldConfig);
        restore("GTK_THEME", oldGtk);
    }

    void stateColoursReadOnBothBackgrounds()
    {
        for (const bool darkBackground : {false, true}) {
            const ViewColors colors = viewColors(darkBackground ? darkPalette() : lightPalette());
            for (int s = 0; s < int(State::Count); ++s) {
                const QColor fill = stateColor(State(s), darkBackground);
                const QByteArray what =
                    QByteArray(darkBackground ? "dark " : "light ") + stateLabel(State(s)).toUtf8();
                // A bar stands out of the background, and its label out of the bar.
                QVERIFY2(contrastRatio(fill, colors.background) >= 1.35, what.constData());
                QVERIFY2(contrastRatio(textColorOn(fill), fill) >= 4.3, what.constData());
            }
            for (const std::int64_t code : {std::int64_t(0), std::int64_t(il::kMarkDeadlock)})
                QVERIFY(contrastRatio(markColor(code, darkBackground), colors.background) >= 3.5);
        }
    }

    void viewsTurnDarkAndBack()
    {
        il::Timeline timeline;
        buildShowcase(timeline);
        il::Timeline table;
        TableRun(5).deadlock(10 * kMs, 30 * kMs).applyTo(table);

        applyTheme(*qApp, ThemeChoice::Dark);
        GanttView gantt;
        gantt.setChartTitle(QStringLiteral("Mutex"));
        gantt.setTimeline(&timeline);
        gantt.resize(1000, 520);
        PhilosophersView philosophers;
        philosophers.setTimeline(&table);
        philosophers.resize(640, 640);
        SpeedupChart speedup;
        speedup.setData(speedupData(), QStringLiteral("Speedup"));
        speedup.resize(800, 520);
        for (QWidget *w : {static_cast<QWidget *>(&gantt), static_cast<QWidget *>(&philosophers),
                           static_cast<QWidget *>(&speedup)}) {
            w->show();
            QVERIFY(QTest::qWaitForWindowExposed(w));
        }

        for (const bool darkTheme : {true, false, true}) {
            applyTheme(*qApp, darkTheme ? ThemeChoice::Dark : ThemeChoice::Light);
            const QString suffix = darkTheme ? QStringLiteral("dark") : QStringLiteral("light");
            const bool expect = darkTheme;
            for (QWidget *w :
                 {static_cast<QWidget *>(&gantt), static_cast<QWidget *>(&philosophers),
                  static_cast<QWidget *>(&speedup)})
                QTRY_COMPARE(isDark(w->palette()), expect);

            // The Gantt chart: background, title, axes, lane names and legend.
            const QColor ganttBackground = gantt.chart()->backgroundBrush().color();
            QCOMPARE(dark(ganttBackground), expect);
            for (const QColor &text :
                 {gantt.chart()->titleBrush().color(), gantt.laneAxis()->labelsBrush().color(),
                  gantt.timeAxis()->labelsBrush().color(), gantt.timeAxis()->titleBrush().color(),
                  gantt.chart()->legend()->labelColor()})
                QVERIFY(contrastRatio(text, ganttBackground) >= 7);
            const double grid = contrastRatio(gantt.timeAxis()->gridLineColor(), ganttBackground);
            QVERIFY(grid > 1.1 && grid < 2.0); // there, but quiet
            const QImage ganttShot = grabbed(gantt, "theme-gantt-" + suffix);
            const QColor seen = dominant(ganttShot, ganttShot.rect().adjusted(0, 0, 0, -400));
            QCOMPARE(dark(seen), expect);
            QCOMPARE(light(seen), !expect);
            // Lane names, left of the plot, are written in a colour that reads.
            const QRectF plot = gantt.chart()->plotArea();
            const QRect names(0, int(plot.top()), int(plot.left()) - 4, int(plot.height()));
            QVERIFY(inked(ganttShot, names, seen) > 150);

            const QImage tableShot = grabbed(philosophers, "theme-philosophers-" + suffix);
            const QColor tableBackground = dominant(tableShot, QRect(0, 0, 640, 40));
            QCOMPARE(dark(tableBackground), expect);
            QVERIFY(inked(tableShot, QRect(0, 0, 640, 90), tableBackground) > 300);   // header
            QVERIFY(inked(tableShot, QRect(0, 580, 640, 60), tableBackground) > 300); // legend

            QCOMPARE(dark(speedup.chart()->backgroundBrush().color()), expect);
            const QImage speedupShot = grabbed(speedup, "theme-speedup-" + suffix);
            const QColor speedupBackground = dominant(speedupShot, speedupShot.rect());
            QCOMPARE(dark(speedupBackground), expect);
            QVERIFY(inked(speedupShot, speedupShot.rect(), speedupBackground) > 800);
        }
    }

    void exportsStayLightOnADarkScreen()
    {
        applyTheme(*qApp, ThemeChoice::Dark);
        il::Timeline timeline;
        buildShowcase(timeline);
        const QImage gantt =
            renderTimelineImage(timeline, QStringLiteral("Mutex"), 0, 0, QSize(1000, 520), 1.0);
        QCOMPARE(dominant(gantt, gantt.rect()), QColor(Qt::white));
        QVERIFY(inked(gantt, QRect(0, 0, 120, 520), Qt::white) > 150); // lane names in black

        il::Timeline table;
        TableRun(5).deadlock(10 * kMs, 30 * kMs).applyTo(table);
        PhilosophersView philosophers;
        philosophers.setTimeline(&table);
        const QImage tableImage = philosophers.renderImage({640, 640}, 1.0);
        QCOMPARE(dominant(tableImage, tableImage.rect()), QColor(Qt::white));
        QVERIFY(inked(tableImage, QRect(0, 0, 640, 90), Qt::white) > 300);

        const QImage speedup =
            renderSpeedupImage(speedupData(), QStringLiteral("Speedup"), QSize(800, 520), 1.0);
        QCOMPARE(dominant(speedup, speedup.rect()), QColor(Qt::white));

        // SVG: the dark base colour appears nowhere, the text is black.
        QTemporaryDir dir;
        const QString svgPath = dir.filePath(QStringLiteral("mutex.svg"));
        QVERIFY(saveTimelineImage({timeline, QStringLiteral("Mutex")}, svgPath, ImageOptions{},
                                  nullptr));
        QFile svg(svgPath);
        QVERIFY(svg.open(QIODevice::ReadOnly));
        const QByteArray text = svg.readAll().toLower();
        const QByteArray darkBase = darkPalette().color(QPalette::Base).name().toLatin1();
        QVERIFY(!text.contains(darkBase));
        QVERIFY(text.contains("#ffffff"));

        // Exporting leaves the views on screen dark.
        GanttView onScreen;
        QVERIFY(dark(onScreen.chart()->backgroundBrush().color()));
    }

    // At device pixel ratios 2 and 1.5 every bar is painted in whole device pixels: a
    // row through the middle of a bar holds nothing but state colours (no blended
    // edges), and a column through it goes from the bar's colour straight to the gap's.
    void barsAreCrispAtHighDpi_data()
    {
        QTest::addColumn<qreal>("dpr");
        QTest::newRow("2") << 2.0;
        QTest::newRow("1.5") << 1.5;
    }
    void barsAreCrispAtHighDpi()
    {
        QFETCH(qreal, dpr);
        il::Timeline timeline;
        il::Batch b;
        b.newLanes = {"a", "b"};
        b.events = {stateEvent(0, 0, State::Running),       stateEvent(3 * ms, 0, State::Blocked),
                    stateEvent(7 * ms, 0, State::Finished), stateEvent(0, 1, State::Critical),
                    stateEvent(5 * ms, 1, State::Sleeping), stateEvent(9 * ms, 1, State::Finished)};
        applySorted(timeline, b);
        timeline.close(10 * ms);
        for (const bool darkTheme : {false, true}) {
            applyTheme(*qApp, darkTheme ? ThemeChoice::Dark : ThemeChoice::Light);
            GanttView view;
            view.setTimeline(&timeline);
            view.resize(701, 333);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            QImage image(QSize(701, 333) * dpr, QImage::Format_RGB32);
            image.setDevicePixelRatio(dpr);
            static_cast<QWidget &>(view).render(&image); // QGraphicsView hides it
            QSet<QRgb> states;
            for (int s = 0; s < int(State::Count); ++s)
                states.insert(stateColor(State(s), darkTheme).rgb());
            // Where a wide segment begins, a hairline of the background parts it.
            states.insert(view.chart()->backgroundBrush().color().rgb());
            for (int lane = 0; lane < 2; ++lane) {
                const QPoint mid = view.viewPosition(lane, 2 * ms);
                const int y = int(mid.y() * dpr);
                const QRectF plot = view.chart()->plotArea();
                for (int x = int(std::ceil(plot.left() * dpr)) + 1;
                     x < int(std::floor(plot.right() * dpr)) - 1; ++x)
                    QVERIFY2(states.contains(image.pixel(x, y)),
                             qPrintable(QStringLiteral("lane %1 x %2: %3")
                                            .arg(lane)
                                            .arg(x)
                                            .arg(QColor(image.pixel(x, y)).name())));
                // Down from the bar's middle: its colour up to the edge, then at once the
                // gap's colour, with no blended pixel between them.
                const int x = int(mid.x() * dpr);
                int edge = y;
                while (edge < image.height() - 2 && states.contains(image.pixel(x, edge)))
                    ++edge;
                QVERIFY(edge - y >= 3);
                QCOMPARE(QColor(image.pixel(x, edge)), QColor(image.pixel(x, edge + 1)));
            }
        }
    }
};

QTEST_MAIN(TstTheme)
#include "tst_theme.moc"

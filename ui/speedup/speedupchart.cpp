#include "speedupchart.h"

#include "../pngfile.h"
#include "../theme.h"
#include "gantt/chartstyle.h"

#include <QGraphicsLayout>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QPainter>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace {

// Colours are set by restyle().
QLineSeries *makeSeries(QChart *chart, const QString &name, qreal width, Qt::PenStyle style)
{
    auto *series = new QLineSeries;
    series->setName(name);
    QPen pen(Qt::black, width, style);
    pen.setCapStyle(Qt::RoundCap);
    series->setPen(pen);
    chart->addSeries(series);
    return series;
}

// Roughly eight ticks whatever the range: 1, 2, 4, 5 or 10 apart.
qreal niceInterval(qreal span)
{
    for (qreal step : {1.0, 2.0, 4.0, 5.0, 10.0, 20.0, 50.0})
        if (span / step <= 8)
            return step;
    return 100.0;
}

QString cpusAvailable(int cores)
{
    return cores == 1 ? SpeedupChart::tr("1 CPU available")
                      : SpeedupChart::tr("%1 CPUs available").arg(cores);
}

} // namespace

SpeedupChart::SpeedupChart(QWidget *parent)
    : QChartView(parent)
{
    setRenderHint(QPainter::Antialiasing);
    auto *c = new QChart;
    c->setMargins(QMargins(12, 8, 12, 8));
    c->legend()->setAlignment(Qt::AlignBottom);
    QFont titleFont = c->titleFont();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.15);
    titleFont.setBold(true);
    c->setTitleFont(titleFont);
    // setChart() releases the chart the view made for itself without deleting it.
    QChart *made = chart();
    setChart(c);
    delete made;

    m_ideal = makeSeries(c, tr("ideal (linear)"), 1.5, Qt::DotLine);
    m_amdahl = makeSeries(c, tr("Amdahl's law"), 2.0, Qt::DashLine);
    m_cores = makeSeries(c, QString(), 1.5, Qt::DashDotLine);
    m_measured = makeSeries(c, tr("measured"), 3.0, Qt::SolidLine);
    m_measured->setPointsVisible(true);
    m_measured->setMarkerSize(9);
    connect(m_measured, &QLineSeries::hovered, this, &SpeedupChart::showPointToolTip);

    m_x = new QValueAxis;
    m_x->setTitleText(tr("threads"));
    m_x->setLabelFormat(QStringLiteral("%d"));
    m_x->setTickType(QValueAxis::TicksDynamic);
    m_x->setTickAnchor(0);
    m_y = new QValueAxis;
    m_y->setTitleText(tr("speedup (one thread's CPU time ÷ wall time)"));
    m_y->setLabelFormat(QStringLiteral("%.1f"));
    m_y->setTickType(QValueAxis::TicksDynamic);
    m_y->setTickAnchor(0);
    c->addAxis(m_x, Qt::AlignBottom);
    c->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries *s : {m_ideal, m_amdahl, m_cores, m_measured}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    restyle();
    setData(std::nullopt, QString());
}

void SpeedupChart::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        restyle();
}

void SpeedupChart::restyle()
{
    const ViewColors colors = viewColors(palette());
    setBackgroundBrush(colors.background);
    styleChart(*chart(), colors);
    // Okabe–Ito blue and vermillion as in the timeline; on dark, the lighter sky blue,
    // since the deep blue falls to 3:1 against the background.
    const auto recolour = [](QLineSeries *series, const QColor &colour) {
        QPen pen = series->pen();
        pen.setColor(colour);
        series->setPen(pen);
    };
    recolour(m_ideal, colors.dark ? QColor(0x8e, 0x94, 0x9b) : QColor(0x9a, 0x9a, 0x9a));
    recolour(m_amdahl, QColor(0xd5, 0x5e, 0x00));
    recolour(m_cores, colors.dark ? QColor(0xc8, 0xcc, 0xd0) : QColor(0x40, 0x40, 0x40));
    recolour(m_measured, colors.dark ? QColor(0x56, 0xb4, 0xe9) : QColor(0x00, 0x72, 0xb2));
}

void SpeedupChart::setData(const std::optional<SpeedupData> &data, const QString &title)
{
    m_data = data;
    QList<QPointF> measured, amdahl, ideal;
    int maxThreads = 8;
    qreal top = 2.0;
    if (data && !data->threads.isEmpty()) {
        maxThreads = std::max(2, data->maxThreads());
        for (qsizetype i = 0; i < data->threads.size(); ++i) {
            const qreal n = data->threads[i];
            measured.append({n, data->speedup[i]});
            amdahl.append({n, data->theoretical[i]});
            top = std::max({top, data->speedup[i], data->theoretical[i]});
        }
    }
    ideal = {{1, 1}, {qreal(maxThreads), qreal(maxThreads)}};
    m_measured->replace(measured);
    m_amdahl->replace(amdahl);
    m_ideal->replace(ideal);
    top = std::ceil(top * 1.15 * 2) / 2; // headroom, to the next half

    const int cores = data ? data->cores : 0;
    if (cores >= 1 && cores <= maxThreads) {
        m_cores->replace({{qreal(cores), 0}, {qreal(cores), top}});
        m_cores->setName(cpusAvailable(cores));
    } else {
        m_cores->clear();
        m_cores->setName(cores > 0 ? tr("%1 (off the axis)").arg(cpusAvailable(cores))
                                   : tr("CPUs available"));
    }
    m_x->setRange(0.6, maxThreads + 0.4); // room for the end points' markers
    m_x->setTickInterval(niceInterval(maxThreads - 1));
    m_y->setRange(0, top);
    // Whole steps when the axis is tall, half steps when it is short.
    const qreal step = niceInterval(top);
    m_y->setTickInterval(top / step < 5 ? step / 2 : step);
    chart()->setTitle(!title.isEmpty() ? title
                      : data           ? tr("Speedup")
                                       : tr("Run the scenario: the measured speedup appears here "
                                                      "when the run ends"));
}

void SpeedupChart::showPointToolTip(const QPointF &point, bool state)
{
    if (!state || !m_data) {
        QToolTip::hideText();
        return;
    }
    const int index = int(m_data->threads.indexOf(int(std::lround(point.x()))));
    if (index < 0)
        return;
    const QLocale locale;
    QToolTip::showText(
        QCursor::pos(),
        tr("%n thread(s): measured %1×, Amdahl's law %2×", nullptr, m_data->threads[index])
            .arg(locale.toString(m_data->speedup[index], 'f', 2),
                 locale.toString(m_data->theoretical[index], 'f', 2)),
        this);
}

QImage SpeedupChart::renderImage(QSize logicalSize, qreal dpr) const
{
    return renderSpeedupImage(m_data, chart()->title(), logicalSize, dpr);
}

void paintSpeedup(QPainter &painter, QSize logicalSize, const std::optional<SpeedupData> &data,
                  const QString &title, bool titleShown, bool legend)
{
    if (logicalSize.isEmpty())
        return;
    // A chart of its own at the requested size, so the one on screen is left alone.
    SpeedupChart view;
    view.setAttribute(Qt::WA_DontShowOnScreen);
    view.setPalette(exportPalette()); // files are light whatever the screen's theme
    view.setData(data, titleShown ? title : QString());
    view.chart()->legend()->setVisible(legend);
    view.resize(logicalSize);
    // A view that is never shown gets no resize event: size and lay out the chart now.
    view.chart()->resize(logicalSize);
    view.chart()->layout()->activate();
    view.setSceneRect(view.chart()->geometry());
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    view.scene()->render(&painter, QRectF(QPointF(0, 0), logicalSize), view.sceneRect());
    painter.restore();
}

QImage renderSpeedupImage(const std::optional<SpeedupData> &data, const QString &title,
                          QSize logicalSize, qreal dpr)
{
    return paintImage(logicalSize, dpr,
                      [&](QPainter &p, QSize size) { paintSpeedup(p, size, data, title); });
}

bool saveSpeedupImage(const std::optional<SpeedupData> &data, const QString &title,
                      const QString &path, const ImageOptions &options, QString *error)
{
    return writeImageFile(
        path, options, title,
        [&](QPainter &p, QSize size) {
            paintSpeedup(p, size, data, title, options.title, options.legend);
        },
        error);
}

bool saveSpeedupPng(const std::optional<SpeedupData> &data, const QString &title,
                    const QString &path, QString *error, QSize logicalSize, qreal dpr)
{
    return writePngFile(renderSpeedupImage(data, title, logicalSize, dpr), path, error);
}

#include "philosophersview.h"

#include "../pngfile.h"
#include "tablepainter.h"
#include "timeline.h"

#include <QPainter>
#include <QVariantAnimation>

namespace {

constexpr int kGlideMs = 150;

} // namespace

PhilosophersView::PhilosophersView(QWidget *parent)
    : QWidget(parent)
    , m_animation(new QVariantAnimation(this))
{
    setAttribute(Qt::WA_OpaquePaintEvent);
    m_animation->setStartValue(0.0);
    m_animation->setEndValue(1.0);
    m_animation->setDuration(kGlideMs);
    m_animation->setEasingCurve(QEasingCurve::OutCubic);
    connect(m_animation, &QVariantAnimation::valueChanged, this,
            &PhilosophersView::onAnimationStep);
}

PhilosophersView::~PhilosophersView() = default;

void PhilosophersView::setTimeline(const il::Timeline *timeline)
{
    m_timeline = timeline;
    m_animation->stop();
    m_shownPositions.clear(); // a new run starts without a glide
    updateTable();
}

void PhilosophersView::refresh()
{
    updateTable();
}

void PhilosophersView::setDisplayTimeNs(std::optional<qint64> t)
{
    m_pinnedNs = t;
    updateTable();
}

std::optional<qint64> PhilosophersView::displayTimeNs() const
{
    return m_pinnedNs;
}

int PhilosophersView::seatCount() const
{
    return int(m_table.philosophers.size());
}

QList<int> PhilosophersView::highlightedCycleLanes() const
{
    return m_table.cycleLanes;
}

bool PhilosophersView::isAnimating() const
{
    return m_animation->state() == QAbstractAnimation::Running;
}

QString PhilosophersView::emptyHint()
{
    return tr("The table appears for the dining philosophers scenario");
}

void PhilosophersView::updateTable()
{
    const qint64 t = m_pinnedNs.value_or(m_timeline ? m_timeline->end_ns() : 0);
    m_table = m_timeline ? tableStateAt(*m_timeline, t) : TableState{};
    if (!m_timeline)
        m_table.tNs = t;

    QList<qreal> resting;
    for (int k = 0; k < m_table.chopsticks.size(); ++k)
        resting << chopstickRestingPosition(m_table, k);
    const bool moved = resting != m_restingPositions;
    m_restingPositions = resting;

    // Glide only what is on screen and only between two layouts of the same table;
    // otherwise jump, so a hidden or rebuilt view never lags behind the record.
    if (!isVisible() || m_shownPositions.size() != resting.size()) {
        m_animation->stop();
        m_shownPositions = resting;
    } else if (moved) {
        m_startPositions = m_shownPositions;
        m_animation->stop();
        m_animation->start();
    }
    update();
}

void PhilosophersView::onAnimationStep(const QVariant &value)
{
    if (m_startPositions.size() != m_restingPositions.size())
        return;
    const qreal f = value.toReal();
    for (int k = 0; k < m_restingPositions.size(); ++k)
        m_shownPositions[k] =
            m_startPositions[k] + (m_restingPositions[k] - m_startPositions[k]) * f;
    update();
}

void PhilosophersView::paintInto(QPainter &painter, const QRectF &bounds,
                                 const QList<qreal> &positions, const ViewColors &colors,
                                 TableParts parts) const
{
    painter.fillRect(bounds, colors.background);
    if (m_table.isTable())
        paintTable(painter, bounds, m_table, positions, !m_pinnedNs.has_value(), colors, parts);
    else
        paintTableHint(painter, bounds, emptyHint(), colors);
}

void PhilosophersView::paintEvent(QPaintEvent *)
{
    // QWidget repaints on a palette change by itself; the colours are read here.
    QPainter painter(this);
    paintInto(painter, rect(), m_shownPositions, viewColors(palette()));
}

QImage PhilosophersView::renderImage(QSize logicalSize, qreal dpr) const
{
    if (logicalSize.isEmpty() || !(dpr > 0.0))
        return QImage();
    QImage image(logicalSize * dpr, QImage::Format_ARGB32_Premultiplied);
    image.setDevicePixelRatio(dpr);
    QPainter painter(&image);
    paintInto(painter, QRectF(QPointF(0, 0), logicalSize), m_restingPositions,
              viewColors(exportPalette()));
    painter.end();
    return image;
}

bool PhilosophersView::savePng(const QString &path, QString *error, QSize logicalSize,
                               qreal dpr) const
{
    return writePngFile(renderImage(logicalSize, dpr), path, error);
}

bool PhilosophersView::saveImage(const QString &path, const ImageOptions &options,
                                 QString *error) const
{
    return writeImageFile(
        path, options, tr("Dining philosophers"),
        [&](QPainter &p, QSize size) {
            paintInto(p, QRectF(QPointF(0, 0), size), m_restingPositions,
                      viewColors(exportPalette()), TableParts{options.title, options.legend});
        },
        error);
}

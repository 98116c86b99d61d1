#include "tablelegend.h"

#include "gantt/segmenttooltip.h"
#include "tablegeometry.h"
#include "tablepainter.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Philosophers", text);
}

struct LegendItem {
    QColor colour;
    QString label;
    bool arrow = false;
    bool dashed = false; // no record: drawn as an empty dashed seat
};

QList<LegendItem> legendItems(const ViewColors &colors)
{
    const auto phase = [&](PhilosopherPhase ph) { return phaseColor(ph, colors); };
    return {
        {phase(PhilosopherPhase::Thinking), tr("thinking"), false},
        {phase(PhilosopherPhase::Hungry), tr("hungry"), false},
        {phase(PhilosopherPhase::Eating), tr("eating"), false},
        {phase(PhilosopherPhase::Finished), tr("finished"), false},
        {phase(PhilosopherPhase::Unknown), phaseLabel(PhilosopherPhase::Unknown), false, true},
        {cycleColor(colors.dark), tr("deadlock cycle"), false},
        {phase(PhilosopherPhase::Hungry), tr("waits for the chopstick's holder"), true},
    };
}

void paintSwatch(QPainter &p, const LegendItem &item, const QRectF &box, bool dark)
{
    const qreal r = box.height() / 2;
    const QPointF c(box.left() + r, box.center().y());
    if (item.arrow) {
        const QPointF from(box.left(), c.y());
        const QPointF to(box.right() - r * 0.2, c.y());
        p.setPen(QPen(item.colour, std::max(1.5, r * 0.3), Qt::SolidLine, Qt::RoundCap));
        p.drawLine(from, to - QPointF(r * 0.6, 0));
        p.setPen(Qt::NoPen);
        p.setBrush(item.colour);
        p.drawPolygon(QPolygonF() << to << to - QPointF(r * 1.1, r * 0.6)
                                  << to - QPointF(r * 1.1, -r * 0.6));
        return;
    }
    if (item.dashed)
        p.setPen(QPen(unknownSeatOutline(), std::max(1.0, r * 0.12), Qt::DashLine));
    else
        p.setPen(QPen(dark ? item.colour.lighter(130) : item.colour.darker(125),
                      std::max(1.0, r * 0.12)));
    p.setBrush(item.colour);
    p.drawEllipse(c, r * 0.9, r * 0.9);
}

} // namespace

void paintTableHeader(QPainter &p, const TableGeometry &g, const TableState &table, bool live,
                      const ViewColors &colors)
{
    const QRectF header = g.header();
    const qreal px = g.fontPx();
    const QFont title = tableFont(px * 1.15, true);
    const QFont body = tableFont(px);
    const qreal lineHeight = QFontMetricsF(title).height();

    p.setFont(title);
    p.setPen(colors.text);
    const QString titleText = tr("Dining philosophers");
    p.drawText(QRectF(header.left(), header.top(), header.width(), lineHeight),
               Qt::AlignLeft | Qt::AlignVCenter, titleText);
    const qreal titleWidth = QFontMetricsF(title).horizontalAdvance(titleText);

    p.setFont(body);
    p.setPen(colors.mutedText);
    const QString seats = tr("%1 seats").arg(table.philosophers.size());
    const QString when =
        live ? tr("%1 (live)").arg(formatMs(table.tNs)) : tr("at %1").arg(formatMs(table.tNs));
    p.drawText(
        QRectF(header.left() + titleWidth, header.top(), header.width() - titleWidth, lineHeight),
        Qt::AlignLeft | Qt::AlignVCenter,
        QStringLiteral("   \u00b7   %1   \u00b7   %2").arg(seats, when));

    if (table.cycleLanes.isEmpty())
        return;
    const QFont captionFont = tableFont(px, true);
    p.setFont(captionFont);
    p.setPen(colors.alarm);
    const QRectF area(header.left(), header.top() + lineHeight * 1.15, header.width(),
                      header.bottom() - header.top() - lineHeight * 1.15);
    const int flags = Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap;
    const QString prefix = tr("Deadlock since %1: ").arg(formatMs(table.cycleTNs));
    QString caption = prefix + table.cycleCaption;
    if (QFontMetricsF(captionFont).boundingRect(area, flags, caption).height() > area.height())
        caption = prefix + table.cycleCaptionShort;
    p.drawText(area, flags, caption);
}

void paintTableLegend(QPainter &p, const TableGeometry &g, const ViewColors &colors)
{
    const QRectF legend = g.legend();
    const qreal px = g.fontPx() * 0.95;
    const QFont font = tableFont(px);
    const QFontMetricsF metrics(font);
    const qreal swatch = px * 1.05;
    const qreal gap = px * 0.45;
    const qreal spacing = px * 1.5;

    const QList<LegendItem> items = legendItems(colors);
    QList<qreal> widths;
    for (const LegendItem &item : items)
        widths << (item.arrow ? swatch * 2.2 : swatch) + gap +
                      metrics.horizontalAdvance(item.label);

    // One row when it fits, otherwise the phases above and the rest below.
    QList<QList<int>> rows;
    qreal total = 0;
    for (const qreal w : widths)
        total += w;
    total += spacing * qreal(items.size() - 1);
    if (total <= legend.width())
        rows = {{0, 1, 2, 3, 4, 5, 6}};
    else
        rows = {{0, 1, 2, 3, 4}, {5, 6}};

    p.setFont(font);
    const qreal rowHeight = metrics.height() * 1.35;
    qreal y = legend.center().y() - rowHeight * qreal(rows.size()) / 2;
    for (const QList<int> &row : rows) {
        qreal rowWidth = spacing * qreal(row.size() - 1);
        for (const int i : row)
            rowWidth += widths[i];
        qreal x = legend.center().x() - rowWidth / 2;
        for (const int i : row) {
            const LegendItem &item = items[i];
            const qreal swatchWidth = item.arrow ? swatch * 2.2 : swatch;
            paintSwatch(p, item, QRectF(x, y + (rowHeight - swatch) / 2, swatchWidth, swatch),
                        colors.dark);
            p.setPen(colors.text);
            p.drawText(QRectF(x + swatchWidth + gap, y, widths[i] - swatchWidth - gap, rowHeight),
                       Qt::AlignLeft | Qt::AlignVCenter, item.label);
            x += widths[i] + spacing;
        }
        y += rowHeight;
    }
}

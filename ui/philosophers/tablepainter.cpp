#include "tablepainter.h"

#include "gantt/statestyle.h"
#include "tablegeometry.h"
#include "tablelegend.h"

#include <QCoreApplication>
#include <QPainter>
#include <QPainterPath>
#include <QRadialGradient>
#include <QtMath>

#include <algorithm>
#include <cmath>

namespace {

const QColor kWood(0xe9, 0xdb, 0xc3);
const QColor kWoodCentre(0xf6, 0xee, 0xe0);
const QColor kWoodEdge(0xc4, 0xaa, 0x84);
const QColor kChopstick(0x5a, 0x43, 0x2e);
const QColor kInk(0x1f, 0x29, 0x33);

QColor textOn(const QColor &fill)
{
    return qGray(fill.rgb()) < 150 ? QColor(Qt::white) : kInk;
}

void paintBoard(QPainter &p, const TableGeometry &g)
{
    const qreal r = g.tableRadius();
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 28));
    p.drawEllipse(g.centre() + QPointF(0, r * 0.025), r * 1.01, r * 1.01);
    QRadialGradient wood(g.centre(), r);
    wood.setColorAt(0.0, kWoodCentre);
    wood.setColorAt(0.85, kWood);
    wood.setColorAt(1.0, kWood.darker(106));
    p.setBrush(wood);
    p.setPen(QPen(kWoodEdge, std::max(1.5, r * 0.012)));
    p.drawEllipse(g.centre(), r, r);

    const qreal plate = g.plateRadius();
    for (int seat = 0; seat < g.seats(); ++seat) {
        const QPointF c = g.plateCentre(seat);
        p.setPen(QPen(QColor(0xcf, 0xc3, 0xb0), std::max(1.0, plate * 0.08)));
        p.setBrush(Qt::white);
        p.drawEllipse(c, plate, plate);
        p.setPen(QPen(QColor(0xe4, 0xdb, 0xcd), std::max(0.8, plate * 0.05)));
        p.setBrush(Qt::NoBrush);
        p.drawEllipse(c, plate * 0.68, plate * 0.68);
    }
}

void paintChopsticks(QPainter &p, const TableGeometry &g, const TableState &table,
                     const QList<qreal> &positions)
{
    const QFont labelFont = tableFont(std::clamp(g.tableRadius() * 0.055, 8.0, 16.0));
    p.setFont(labelFont);
    const qreal w = g.chopstickWidth();
    for (int k = 0; k < table.chopsticks.size(); ++k) {
        const ChopstickState &c = table.chopsticks[k];
        const qreal pos = k < positions.size() ? positions[k] : chopstickRestingPosition(table, k);
        const QLineF line = g.chopstick(k, pos);
        const QColor colour = c.inCycle ? cycleColor() : kChopstick;
        p.setPen(QPen(QColor(0, 0, 0, 40), w, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(line.translated(w * 0.35, w * 0.35));
        p.setPen(QPen(colour, w, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(line);
        // A lighter tip shows which end is the thin one, like a real chopstick.
        p.setPen(
            QPen(colour.lighter(c.inCycle ? 150 : 190), w * 0.55, Qt::SolidLine, Qt::RoundCap));
        p.drawLine(QLineF(line.pointAt(0.0), line.pointAt(0.22)));

        const QPointF at = g.chopstickLabel(k, pos);
        const qreal box = labelFont.pixelSize() * 1.6;
        p.setPen(c.inCycle ? cycleColor() : QColor(0x7d, 0x6a, 0x52));
        p.drawText(QRectF(at.x() - box, at.y() - box / 2, 2 * box, box), Qt::AlignCenter,
                   QString::number(k));
    }
}

void paintArrowHead(QPainter &p, const QPainterPath &path, qreal size, const QColor &colour)
{
    const QPointF tip = path.pointAtPercent(1.0);
    const qreal angle = qDegreesToRadians(path.angleAtPercent(1.0));
    const QPointF forward(std::cos(angle), -std::sin(angle)); // Qt angles turn counter-clockwise
    const QPointF side(-forward.y(), forward.x());
    const QPointF end = tip + forward * size * 0.35;
    QPolygonF head;
    head << end << end - forward * size + side * size * 0.5 << end - forward * size * 0.72
         << end - forward * size - side * size * 0.5;
    p.setPen(Qt::NoPen);
    p.setBrush(colour);
    p.drawPolygon(head);
}

void paintWaits(QPainter &p, const TableGeometry &g, const TableState &table,
                const QList<qreal> &positions, const ViewColors &colors)
{
    const qreal width = g.arrowWidth();
    for (int seat = 0; seat < table.philosophers.size(); ++seat) {
        const PhilosopherState &ph = table.philosophers[seat];
        if (ph.waitsFor < 0)
            continue;
        const bool cycle = ph.inCycle && table.chopsticks[ph.waitsFor].inCycle;
        const QColor colour =
            cycle ? cycleColor(colors.dark) : phaseColor(PhilosopherPhase::Hungry, colors);
        p.setBrush(Qt::NoBrush);
        if (ph.waitsForHolder < 0) {
            // The chopstick was just put down and is not picked up yet: point at it.
            const qreal pos = ph.waitsFor < positions.size() ? positions[ph.waitsFor] : 0.0;
            const QPointF target = g.chopstick(ph.waitsFor, pos).p2();
            const QPointF from = g.seatCentre(seat);
            const QLineF toward(from, target);
            p.setPen(QPen(colour, width, Qt::DashLine, Qt::RoundCap));
            p.drawLine(QLineF(toward.pointAt(g.seatRadius() * 1.06 / toward.length()), target));
            continue;
        }
        const QPainterPath path = g.waitArrow(seat, ph.waitsForHolder, ph.waitsFor);
        p.setPen(QPen(colour, width * (cycle ? 1.5 : 1.0), Qt::SolidLine, Qt::RoundCap));
        p.drawPath(path);
        paintArrowHead(p, path, g.seatRadius() * 0.3 + 4, colour);
    }
}

void paintSeats(QPainter &p, const TableGeometry &g, const TableState &table,
                const ViewColors &colors)
{
    const qreal r = g.seatRadius();
    const QFont nameFont = tableFont(r * 0.48, true);
    const QFont mealFont = tableFont(std::max(7.0, r * 0.26));
    for (int seat = 0; seat < table.philosophers.size(); ++seat) {
        const PhilosopherState &ph = table.philosophers[seat];
        const QPointF c = g.seatCentre(seat);
        const QColor fill = ph.inCycle ? cycleColor(colors.dark) : phaseColor(ph.phase, colors);
        p.setBrush(QColor(0, 0, 0, 45));
        p.setPen(Qt::NoPen);
        p.drawEllipse(c + QPointF(0, r * 0.07), r, r);
        if (ph.inCycle) {
            QColor halo = fill;
            halo.setAlpha(70);
            p.setBrush(halo);
            p.drawEllipse(c, r * 1.16, r * 1.16);
        }
        p.setBrush(fill);
        // The ring is the background's colour: it parts the seat from the table's edge.
        QPen ring(colors.background, std::max(1.5, r * 0.08));
        if (ph.phase == PhilosopherPhase::Unknown && !ph.inCycle)
            ring = QPen(unknownSeatOutline(), std::max(1.0, r * 0.05), Qt::DashLine);
        p.setPen(ring);
        p.drawEllipse(c, r, r);

        p.setPen(textOn(fill));
        p.setFont(nameFont);
        const QRectF box(c.x() - r, c.y() - r, 2 * r, 2 * r);
        p.drawText(box.adjusted(0, 0, 0, -r * 0.42), Qt::AlignCenter, ph.name);
        p.setFont(mealFont);
        const QString meals =
            ph.meals == 1 ? QCoreApplication::translate("Philosophers", "1 meal")
                          : QCoreApplication::translate("Philosophers", "%1 meals").arg(ph.meals);
        p.drawText(box.adjusted(0, r * 0.62, 0, 0), Qt::AlignCenter, meals);
    }
}

} // namespace

QColor phaseColor(PhilosopherPhase phase, const ViewColors &colors)
{
    switch (phase) {
    case PhilosopherPhase::Thinking: return stateColor(il::State::Sleeping, colors.dark);
    case PhilosopherPhase::Hungry: return stateColor(il::State::Blocked, colors.dark);
    case PhilosopherPhase::Eating: return stateColor(il::State::Critical, colors.dark);
    case PhilosopherPhase::Finished: return stateColor(il::State::Finished, colors.dark);
    case PhilosopherPhase::Unknown: break;
    }
    return colors.background;
}

QColor cycleColor(bool darkBackground)
{
    return darkBackground ? QColor(0xdc, 0x2a, 0x44) : QColor(0xb0, 0x00, 0x20);
}

QColor unknownSeatOutline()
{
    return QColor(0x9e, 0x9e, 0x9e);
}

QFont tableFont(qreal px, bool bold)
{
    QFont font;
    font.setPixelSize(std::max(1, qRound(px)));
    font.setBold(bold);
    return font;
}

void paintTable(QPainter &painter, const QRectF &bounds, const TableState &table,
                const QList<qreal> &chopstickPositions, bool live, const ViewColors &colors,
                TableParts parts)
{
    const TableGeometry g(bounds, int(table.philosophers.size()));
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    if (parts.header)
        paintTableHeader(painter, g, table, live, colors);
    paintBoard(painter, g);
    paintChopsticks(painter, g, table, chopstickPositions);
    paintSeats(painter, g, table, colors);
    paintWaits(painter, g, table, chopstickPositions, colors);
    if (parts.legend)
        paintTableLegend(painter, g, colors);
    painter.restore();
}

void paintTableHint(QPainter &painter, const QRectF &bounds, const QString &hint,
                    const ViewColors &colors)
{
    painter.save();
    painter.setRenderHint(QPainter::TextAntialiasing);
    painter.setFont(
        tableFont(std::clamp(std::min(bounds.width(), bounds.height()) * 0.03, 11.0, 20.0)));
    painter.setPen(colors.mutedText);
    painter.drawText(bounds.adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap, hint);
    painter.restore();
}

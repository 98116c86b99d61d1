#include "replaybar.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QSignalBlocker>
#include <QSlider>

ReplayBar::ReplayBar(QWidget *parent)
    : QWidget(parent)
    , m_slider(new QSlider(Qt::Horizontal))
    , m_label(new QLabel)
{
    auto *h = new QHBoxLayout(this);
    h->setContentsMargins(8, 4, 8, 4);
    auto *title = new QLabel(tr("Replay:"));
    title->setBuddy(m_slider);
    h->addWidget(title);
    h->addWidget(m_slider, 1);
    h->addWidget(m_label);
    m_slider->setRange(0, kSteps);
    m_slider->setObjectName(QStringLiteral("replaySlider"));
    m_slider->setToolTip(tr("Drag to see the table at any recorded moment"));
    m_label->setMinimumWidth(
        m_label->fontMetrics().horizontalAdvance(QStringLiteral("00,000.0 ms (live)")));
    connect(m_slider, &QSlider::valueChanged, this, &ReplayBar::onSlider);
    setRun(0, false);
}

void ReplayBar::setRun(qint64 endNs, bool live)
{
    m_endNs = std::max<qint64>(endNs, 0);
    m_live = live;
    m_slider->setEnabled(!live && m_endNs > 0);
    if (live || !m_pinned) {
        m_pinned.reset();
        const QSignalBlocker block(m_slider);
        m_slider->setValue(kSteps);
    }
    updateLabel();
}

void ReplayBar::setTimeNs(qint64 tNs)
{
    if (m_live || m_endNs <= 0)
        return;
    // Exactly that time, not the slider's nearest step before it (which could be just
    // before the moment a deadlock closed).
    const qint64 t = std::clamp<qint64>(tNs, 0, m_endNs);
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(int(t * kSteps / m_endNs));
    }
    m_pinned = t;
    updateLabel();
    emit timeChanged(m_pinned);
}

std::optional<qint64> ReplayBar::pinnedTimeNs() const
{
    return m_pinned;
}

void ReplayBar::onSlider(int position)
{
    if (m_live || m_endNs <= 0)
        return;
    m_pinned = position >= kSteps ? m_endNs : m_endNs * position / kSteps;
    updateLabel();
    emit timeChanged(m_pinned);
}

void ReplayBar::updateLabel()
{
    const qint64 t = m_pinned.value_or(m_endNs);
    m_label->setText(tr("%1 ms%2").arg(QLocale().toString(double(t) / 1e6, 'f', 1),
                                       m_live ? tr(" (live)") : QString()));
}

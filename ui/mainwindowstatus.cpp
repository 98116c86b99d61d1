// What MainWindow says about the run shown: the deadlock banner, the status bar and
// the chart's title.
#include "gantt/ganttview.h"
#include "mainwindow.h"
#include "philosophers/philosophersview.h"
#include "replaybar.h"
#include "runcontroller.h"
#include "runtitle.h"
#include "speedup/speedupchart.h"
#include "stats.h"
#include "theme.h"

#include <QAction>
#include <QFileInfo>
#include <QLabel>
#include <QLocale>

void MainWindow::onRunUpdated()
{
    m_gantt->refresh();
    m_table->refresh();
    m_replay->setRun(m_controller->timeline().end_ns(), m_controller->isRunning());
    if (const auto &cycle = m_controller->timeline().deadlock()) {
        const QString ending =
            m_controller->isRunning()
                ? tr("The recording continues; press Stop (Esc) to end the run.")
                : tr("The run ended deadlocked; drag the replay slider or click the timeline to "
                     "see how the cycle formed.");
        const QString text =
            tr("<b>Deadlock</b> after %1 ms: %2. Every thread in the cycle waits for a "
               "lock the next one holds, so none can go on. %3")
                .arg(QLocale().toString(double(cycle->tNs) / 1e6, 'f', 1),
                     QString::fromStdString(il::deadlock_text(m_controller->timeline()))
                         .toHtmlEscaped(),
                     ending);
        if (m_banner->text() != text)
            m_banner->setText(text);
        m_banner->show();
    }
}

QString MainWindow::deadlockBanner() const
{
    return m_banner->isHidden() ? QString() : m_banner->text();
}

void MainWindow::updateStatus()
{
    const QLocale locale;
    const il::Timeline &t = m_controller->timeline();
    if (m_controller->isRunning()) {
        if (m_stateLabel->text() != tr("Stopping…"))
            m_stateLabel->setText(tr("Running"));
    } else if (const auto &r = m_controller->lastResult()) {
        m_stateLabel->setText(r->completed() ? tr("Finished")
                                             : tr("Stopped (%1)")
                                                   .arg(QString::fromUtf8(
                                                       il::stop_reason_name(r->stoppedBy).data())));
    } else {
        m_stateLabel->setText(tr("Ready"));
    }
    m_elapsedLabel->setText(
        tr("Elapsed %1 s").arg(locale.toString(double(m_controller->elapsedNs()) / 1e9, 'f', 2)));
    m_eventsLabel->setText(tr("%1 events").arg(locale.toString(qulonglong(t.event_count()))));
    QString dropped = tr("%1 dropped").arg(locale.toString(qulonglong(t.dropped())));
    if (t.discarded_events() > 0)
        dropped += tr(" · older detail dropped (memory budget %1 MiB)")
                       .arg(locale.toString(qulonglong(t.memory_budget() >> 20)));
    m_droppedLabel->setText(dropped);
    m_droppedLabel->setToolTip(
        t.discarded_events() > 0
            ? tr("To stay within its memory budget the timeline gave up the detail of %1 older "
                 "records; the start of each lane says so. Start with --memory-budget MIB to "
                 "keep more.")
                  .arg(locale.toString(qulonglong(t.discarded_events())))
            : QString());
    const bool lost = t.dropped() > 0 || t.discarded_events() > 0;
    m_droppedLabel->setStyleSheet(
        lost ? QStringLiteral("color: %1;").arg(viewColors(palette()).alarm.name()) : QString());
    const bool speedup = speedupShown();
    m_exportAction->setText(speedup ? tr("&Export speedup chart image…")
                                    : tr("&Export timeline image…"));
    m_exportAction->setEnabled(speedup ? bool(m_speedup->data()) : !t.lanes().empty());
    m_exportTableAction->setEnabled(m_table->seatCount() > 0);
}

QString MainWindow::chartTitle() const
{
    if (const il::Scenario *s = m_controller->scenario())
        return runTitle(s->info(), m_controller->params());
    // Another tool's trace: its file name.
    return QFileInfo(m_controller->filePath()).fileName();
}

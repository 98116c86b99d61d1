// MainWindow's File menu: runs saved and re-opened as Chrome traces, recent files,
// drag-and-drop, and exports (PNG/SVG images, CSV).
#include "exportdialog.h"
#include "gantt/ganttview.h"
#include "gantt/timelineimage.h"
#include "mainwindow.h"
#include "philosophers/philosophersview.h"
#include "runcontroller.h"
#include "runfile.h"
#include "speedup/speedupchart.h"

#include <QAction>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QMimeData>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>

namespace {

constexpr QSize kTimelineSize{1600, 900};
constexpr QSize kSpeedupSize{1200, 800};
constexpr QSize kTableSize{900, 900};

// The one local file a drag carries, or "" (several files, a web link, text).
QString droppedFile(const QMimeData *mime)
{
    if (!mime || !mime->hasUrls() || mime->urls().size() != 1 ||
        !mime->urls().front().isLocalFile())
        return {};
    return mime->urls().front().toLocalFile();
}

} // namespace

void MainWindow::buildFileMenu(QMenu *file)
{
    auto *open =
        new QAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open run…"), this);
    open->setObjectName(QStringLiteral("openAction"));
    open->setShortcut(QKeySequence::Open);
    open->setToolTip(tr("Open a saved run, or a Chrome trace from another tool (Ctrl+O)"));
    connect(open, &QAction::triggered, this, &MainWindow::openRunInteractively);
    m_openAction = open;

    m_recentMenu = new QMenu(tr("Open &recent"), this);
    m_recentMenu->setToolTipsVisible(true);
    rebuildRecentMenu();

    m_saveAction =
        new QAction(style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save run…"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAction->setToolTip(
        tr("Save the run as a trace that Interleave re-opens and Perfetto shows (Ctrl+S)"));
    connect(m_saveAction, &QAction::triggered, this, &MainWindow::saveRunInteractively);

    m_exportAction = new QAction(tr("&Export timeline image…"), this);
    m_exportAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+E")));
    m_exportAction->setToolTip(tr("Save what the view shows as PNG or SVG (Ctrl+E)"));
    connect(m_exportAction, &QAction::triggered, this, &MainWindow::exportImageInteractively);
    m_exportTableAction = new QAction(tr("Export &table image…"), this);
    m_exportTableAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+E")));
    m_exportTableAction->setToolTip(
        tr("Save the philosophers' table as PNG or SVG (Ctrl+Shift+E)"));
    connect(m_exportTableAction, &QAction::triggered, this, &MainWindow::exportTableInteractively);
    m_csvAction = new QAction(tr("Export segments as &CSV…"), this);
    m_csvAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+C")));
    m_csvAction->setToolTip(tr("One row per state segment: lane, state, resource, start and end in "
                               "microseconds (Ctrl+Shift+C)"));
    connect(m_csvAction, &QAction::triggered, this, &MainWindow::exportCsvInteractively);

    file->setToolTipsVisible(true);
    file->addAction(open);
    file->addMenu(m_recentMenu);
    file->addSeparator();
    file->addAction(m_saveAction);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addAction(m_exportTableAction);
    file->addAction(m_csvAction);
}

void MainWindow::rebuildRecentMenu()
{
    m_recentMenu->clear();
    const QStringList files = m_settings.recentFiles();
    for (int i = 0; i < files.size(); ++i) {
        const QString &path = files[i];
        // &1 … &8: the digit opens it from the keyboard.
        QAction *a = m_recentMenu->addAction(
            QStringLiteral("&%1  %2").arg(i + 1).arg(QFileInfo(path).fileName()));
        a->setToolTip(QDir::toNativeSeparators(path));
        // Queued: opening rebuilds this menu, which must not delete the action whose
        // signal is being delivered.
        connect(
            a, &QAction::triggered, this, [this, path] { openRun(path); }, Qt::QueuedConnection);
    }
    if (files.isEmpty())
        m_recentMenu->addAction(tr("No recent runs"))->setEnabled(false);
    m_recentMenu->addSeparator();
    QAction *clear = m_recentMenu->addAction(tr("&Clear list"));
    connect(
        clear, &QAction::triggered, this,
        [this] {
            m_settings.clearRecentFiles();
            rebuildRecentMenu();
        },
        Qt::QueuedConnection);
    clear->setEnabled(!files.isEmpty());
}

QString MainWindow::suggestedFileName(const QString &suffix) const
{
    const il::Scenario *s = m_controller->scenario();
    QString base = s ? QStringLiteral("interleave-") + QString::fromStdString(s->info().id)
                     : QFileInfo(m_controller->filePath()).completeBaseName();
    if (base.isEmpty())
        base = QStringLiteral("interleave");
    return QDir(m_settings.lastExportDir()).filePath(base + suffix);
}

void MainWindow::openRunInteractively()
{
    const QStringList recent = m_settings.recentFiles();
    const QString dir =
        recent.isEmpty() ? m_settings.lastExportDir() : QFileInfo(recent.front()).absolutePath();
    const QString path = QFileDialog::getOpenFileName(this, tr("Open run"), dir,
                                                      tr("Traces (*.json);;All files (*)"));
    if (!path.isEmpty())
        openRun(path);
}

bool MainWindow::openRun(const QString &path)
{
    if (m_opening) // a drop or a recent file while another file is read
        return false;
    if (m_controller->isRunning()) {
        QMessageBox::information(this, tr("Open run"),
                                 tr("Stop the current run (Esc) before opening another."));
        return false;
    }
    // The window stays live while the file is read (the progress dialog comes only
    // after a moment): nothing may start a run or another read meanwhile.
    m_opening = true;
    updateActions();
    QString error;
    std::optional<LoadedRun> run =
        openRunFile(this, path, &error, m_controller->memoryBudget());
    m_opening = false;
    updateActions();
    if (m_closed) // the window was closed while the file was read
        return false;
    if (!run) {
        if (error.isEmpty()) { // cancelled
            statusBar()->showMessage(tr("Opening cancelled"), 5000);
            return false;
        }
        if (!QFileInfo::exists(path)) {
            m_settings.removeRecentFile(path);
            rebuildRecentMenu();
        }
        QMessageBox::warning(this, tr("Could not open run"), error);
        return false;
    }
    const bool foreign = run->foreign;
    const QString absolute = run->path;
    if (!m_controller->adopt(std::move(*run)))
        return false; // cannot happen: nothing starts a run while a file is read
    m_settings.addRecentFile(absolute);
    rebuildRecentMenu();
    statusBar()->showMessage(foreign ? tr("Opened %1, written by another tool: one lane per thread")
                                           .arg(QDir::toNativeSeparators(absolute))
                                     : tr("Opened %1").arg(QDir::toNativeSeparators(absolute)),
                             8000);
    return true;
}

void MainWindow::saveRunInteractively()
{
    const QString current = m_controller->filePath();
    const QString suggested =
        current.isEmpty() ? suggestedFileName(QStringLiteral(".json")) : current;
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save run"), suggested, tr("Traces (*.json)"));
    if (!path.isEmpty())
        saveRun(path);
}

bool MainWindow::saveRun(const QString &path)
{
    const std::optional<il::RunInfo> info = m_controller->runInfo();
    if (!info) {
        QMessageBox::information(this, tr("Save run"), tr("There is no finished run to save yet."));
        return false;
    }
    QString error;
    if (!saveRunFile(path, m_controller->timeline(), *info, &error)) {
        QMessageBox::warning(this, tr("Could not save run"), error);
        return false;
    }
    const QString absolute = QFileInfo(path).absoluteFilePath();
    m_controller->setFilePath(absolute);
    m_settings.addRecentFile(absolute);
    rebuildRecentMenu();
    updateWindowTitle();
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(absolute)), 5000);
    return true;
}

bool MainWindow::exportImage(const QString &path, const ImageOptions &options)
{
    QString error;
    const bool saved =
        speedupShown() ? saveSpeedupImage(m_speedup->data(), chartTitle(), path, options, &error)
                       : saveTimelineImage({m_controller->timeline(), chartTitle(),
                                            m_gantt->visibleFromNs(), m_gantt->visibleToNs()},
                                           path, options, &error);
    return exported(saved, path, error);
}

bool MainWindow::exportPng(const QString &path)
{
    ImageOptions options;
    options.size = speedupShown() ? kSpeedupSize : kTimelineSize;
    return exportImage(path, options);
}

bool MainWindow::exportTableImage(const QString &path, const ImageOptions &options)
{
    QString error;
    const bool saved = m_table->saveImage(path, options, &error);
    return exported(saved, path, error);
}

bool MainWindow::exportCsv(const QString &path)
{
    QString error;
    const bool saved = saveCsvFile(path, m_controller->timeline(), &error);
    return exported(saved, path, error);
}

// How every export ends: a message box naming the problem, or the folder remembered
// and the file named in the status bar.
bool MainWindow::exported(bool saved, const QString &path, const QString &error)
{
    if (!saved) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return false;
    }
    m_settings.setLastExportDir(path);
    statusBar()->showMessage(tr("Saved %1").arg(QDir::toNativeSeparators(path)), 5000);
    return true;
}

void MainWindow::exportImageInteractively()
{
    const bool speedup = speedupShown();
    ExportDialog dialog(
        speedup ? tr("speedup chart") : tr("timeline"),
        suggestedFileName(speedup ? QStringLiteral("-speedup.png") : QStringLiteral(".png")),
        speedup ? kSpeedupSize : kTimelineSize, this);
    if (dialog.exec() == QDialog::Accepted)
        exportImage(dialog.path(), dialog.options());
}

void MainWindow::exportTableInteractively()
{
    ExportDialog dialog(tr("table"), suggestedFileName(QStringLiteral("-table.png")), kTableSize,
                        this);
    if (dialog.exec() == QDialog::Accepted)
        exportTableImage(dialog.path(), dialog.options());
}

void MainWindow::exportCsvInteractively()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export segments as CSV"),
                                                      suggestedFileName(QStringLiteral(".csv")),
                                                      tr("CSV tables (*.csv)"));
    if (!path.isEmpty())
        exportCsv(path);
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedFile(event->mimeData()).isEmpty() && !m_controller->isRunning() && !m_opening)
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QString path = droppedFile(event->mimeData());
    if (path.isEmpty())
        return;
    event->acceptProposedAction();
    // After the drop returns: the drag source is not kept waiting on a large file.
    QMetaObject::invokeMethod(
        this, [this, path] { openRun(path); }, Qt::QueuedConnection);
}

void MainWindow::updateWindowTitle()
{
    const QString path = m_controller->filePath();
    setWindowTitle(path.isEmpty() ? QStringLiteral("Interleave")
                                  : tr("%1 — Interleave").arg(QFileInfo(path).fileName()));
}

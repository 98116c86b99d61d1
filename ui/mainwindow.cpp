#include "mainwindow.h"

#include "appidentity.h"
#include "gantt/ganttview.h"
#include "metricspanel.h"
#include "paramspanel.h"
#include "philosophers/philosophersview.h"
#include "registry.h"
#include "replaybar.h"
#include "runcontroller.h"
#include "speedup/speedupchart.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QGroupBox>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QScreen>
#include <QScrollArea>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_controller(new RunController(this))
    , m_gantt(new GanttView)
    , m_table(new PhilosophersView)
    , m_stateLabel(new QLabel)
    , m_elapsedLabel(new QLabel)
    , m_eventsLabel(new QLabel)
    , m_droppedLabel(new QLabel)
    , m_statusTimer(new QTimer(this))
{
    setWindowTitle(QStringLiteral("Interleave"));
    setWindowIcon(appIcon());
    setAcceptDrops(true); // a trace dropped anywhere on the window opens
    // Tall enough for the longest parameter list and its metrics without scrolling, where
    // the screen has the room.
    QSize size(1400, 980);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() - QSize(40, 60));
    resize(size.expandedTo(QSize(1000, 640)));

    m_mainSplitter = new QSplitter;
    m_mainSplitter->addWidget(buildSidePanel());
    m_mainSplitter->addWidget(buildCentre());
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({380, 1020});
    setCentralWidget(m_mainSplitter);
    buildMenus();

    for (QLabel *l : {m_stateLabel, m_elapsedLabel, m_eventsLabel, m_droppedLabel}) {
        l->setContentsMargins(8, 0, 8, 0);
        statusBar()->addPermanentWidget(l);
    }
    m_gantt->setTimeline(&m_controller->timeline());
    m_table->setTimeline(&m_controller->timeline());

    connect(m_controller, &RunController::started, this, &MainWindow::onRunStarted);
    connect(m_controller, &RunController::updated, this, &MainWindow::onRunUpdated);
    connect(m_controller, &RunController::finished, this, &MainWindow::onRunFinished);
    connect(m_controller, &RunController::loaded, this, &MainWindow::onRunLoaded);
    m_statusTimer->setInterval(100);
    connect(m_statusTimer, &QTimer::timeout, this, &MainWindow::updateStatus);

    m_scenarioList->setCurrentRow(0);
    restoreSettings();
    updateStatus();
    updateActions();
}

MainWindow::~MainWindow() = default;

QWidget *MainWindow::buildSidePanel()
{
    auto *panel = new QWidget;
    auto *v = new QVBoxLayout(panel);

    auto *scenarioBox = new QGroupBox(tr("Scenario"));
    auto *sv = new QVBoxLayout(scenarioBox);
    m_scenarioList = new QListWidget;
    for (const auto &s : il::scenarios()) {
        auto *item = new QListWidgetItem(QString::fromStdString(s->info().title));
        item->setData(Qt::UserRole, QString::fromStdString(s->info().id));
        item->setToolTip(QString::fromStdString(s->info().id));
        m_scenarioList->addItem(item);
    }
    m_scenarioList->setMaximumHeight(
        m_scenarioList->sizeHintForRow(0) * (m_scenarioList->count() + 1) + 8);
    connect(m_scenarioList, &QListWidget::currentRowChanged, this, &MainWindow::onScenarioChanged);
    m_explanation = new QLabel;
    m_explanation->setWordWrap(true);
    m_explanation->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_explanation->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_explanation->setStyleSheet(QStringLiteral("color: palette(window-text); padding: 4px;"));
    m_explanation->setObjectName(QStringLiteral("explanation"));
    // The explanation takes whatever height the panel has to spare and scrolls in its own
    // box beyond that, so the parameters, Run and the metrics stay in view below it.
    auto *explanationScroll = new QScrollArea;
    explanationScroll->setWidget(m_explanation);
    explanationScroll->setWidgetResizable(true);
    explanationScroll->setFrameShape(QFrame::NoFrame);
    explanationScroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    explanationScroll->setMinimumHeight(fontMetrics().lineSpacing() * 5 + 12);
    sv->addWidget(m_scenarioList);
    sv->addWidget(explanationScroll);
    v->addWidget(scenarioBox, 1);

    auto *paramBox = new QGroupBox(tr("Parameters"));
    auto *pv = new QVBoxLayout(paramBox);
    m_params = new ParamsPanel;
    // A slider moved by the user makes a re-opened run's parameters the user's own.
    connect(m_params, &ParamsPanel::valuesChanged, this, [this] { m_paramsFromFile = false; });
    pv->addWidget(m_params);
    v->addWidget(paramBox);

    auto *buttons = new QHBoxLayout;
    m_runButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaPlay), tr("Run"));
    m_stopButton = new QPushButton(style()->standardIcon(QStyle::SP_MediaStop), tr("Stop"));
    m_runButton->setToolTip(tr("Run the scenario on real threads (Ctrl+R)"));
    m_stopButton->setToolTip(tr("Stop the run; what was recorded is kept (Esc)"));
    connect(m_runButton, &QPushButton::clicked, this, &MainWindow::startRun);
    connect(m_stopButton, &QPushButton::clicked, this, &MainWindow::stopRun);
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_stopButton);
    v->addLayout(buttons);

    auto *metricBox = new QGroupBox(tr("Metrics"));
    auto *mv = new QVBoxLayout(metricBox);
    m_metrics = new MetricsPanel;
    mv->addWidget(m_metrics);
    v->addWidget(metricBox);

    auto *scroll = new QScrollArea;
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumWidth(340);
    return scroll;
}

QWidget *MainWindow::buildCentre()
{
    auto *centre = new QWidget;
    auto *v = new QVBoxLayout(centre);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    m_banner = new QLabel;
    m_banner->setObjectName(QStringLiteral("deadlockBanner"));
    m_banner->setWordWrap(true);
    m_banner->setTextInteractionFlags(Qt::TextSelectableByMouse);
    styleBanner();
    m_banner->hide();
    v->addWidget(m_banner);
    // The table sits beside the timeline (shown for the philosophers), so that a click
    // on the timeline, or the replay slider, shows the table at that moment.
    m_tablePage = new QWidget;
    auto *tv = new QVBoxLayout(m_tablePage);
    tv->setContentsMargins(0, 0, 0, 0);
    tv->setSpacing(0);
    m_replay = new ReplayBar;
    tv->addWidget(m_table, 1);
    tv->addWidget(m_replay);
    connect(m_replay, &ReplayBar::timeChanged, this, [this](std::optional<qint64> t) {
        m_table->setDisplayTimeNs(t);
        m_gantt->setTimeCursorNs(t);
    });
    connect(m_gantt, &GanttView::timeCursorMoved, m_replay, &ReplayBar::setTimeNs);
    m_views = new QSplitter;
    m_views->addWidget(m_gantt);
    m_views->addWidget(m_tablePage);
    m_views->setStretchFactor(0, 3);
    m_views->setStretchFactor(1, 2);
    // The Amdahl scenario adds a second tab: its measured speedup against the law.
    m_speedup = new SpeedupChart;
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_views, tr("Timeline"));
    m_tabs->addTab(m_speedup, tr("Speedup"));
    m_tabs->setTabToolTip(1, tr("Measured speedup per thread count against Amdahl's law"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        updateActions();
        updateStatus();
    });
    v->addWidget(m_tabs, 1);
    return centre;
}

void MainWindow::buildMenus()
{
    m_runAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Run"), this);
    m_runAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+R")));
    m_runAction->setToolTip(tr("Run the scenario on real threads (Ctrl+R)"));
    connect(m_runAction, &QAction::triggered, this, &MainWindow::startRun);
    m_stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop"), this);
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setToolTip(tr("Stop the run; what was recorded is kept (Esc)"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopRun);
    auto *quit = new QAction(tr("&Quit"), this);
    quit->setShortcut(QKeySequence::Quit);
    quit->setToolTip(tr("Stop any run and close Interleave (Ctrl+Q)"));
    connect(quit, &QAction::triggered, this, &QWidget::close);
    auto *fit = new QAction(tr("&Fit whole run"), this);
    fit->setShortcut(QKeySequence(QStringLiteral("Ctrl+0")));
    fit->setToolTip(tr("Zoom the timeline out to the whole run (Ctrl+0, or double-click)"));
    connect(fit, &QAction::triggered, m_gantt, &GanttView::fitAll);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    buildFileMenu(file);
    file->addSeparator();
    file->addAction(quit);
    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->setToolTipsVisible(true);
    run->addAction(m_runAction);
    run->addAction(m_stopAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->setToolTipsVisible(true);
    view->addAction(fit);
    view->addAction(m_gantt->showAllLanesAction());
    view->addAction(m_gantt->wakeArrowsAction());
    view->addSeparator();
    buildThemeMenu(view);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about =
        help->addAction(tr("&About Interleave"), this, [this] { showAboutDialog(this); });
    about->setMenuRole(QAction::AboutRole);

    auto *toolbar = addToolBar(tr("Run"));
    toolbar->setObjectName(QStringLiteral("runToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->addAction(m_runAction);
    toolbar->addAction(m_stopAction);
    toolbar->addSeparator();
    toolbar->addAction(m_openAction);
    toolbar->addAction(m_saveAction);
}

const il::Scenario *MainWindow::currentScenario() const
{
    const QListWidgetItem *item = m_scenarioList->currentItem();
    return item ? il::find_scenario(item->data(Qt::UserRole).toString().toStdString()) : nullptr;
}

void MainWindow::selectScenario(const QString &id)
{
    for (int i = 0; i < m_scenarioList->count(); ++i)
        if (m_scenarioList->item(i)->data(Qt::UserRole).toString() == id)
            m_scenarioList->setCurrentRow(i);
}

void MainWindow::onScenarioChanged()
{
    const il::Scenario *s = currentScenario();
    if (!s)
        return;
    rememberParams(); // of the scenario being left
    m_explanation->setText(QString::fromStdString(s->info().explanation));
    const bool table = s->info().id == "philosophers";
    m_tablePage->setVisible(table);
    if (table) { // the timeline keeps the larger share
        const int width = std::max(m_views->width(), 900);
        m_views->setSizes({width * 3 / 5, width * 2 / 5});
    }
    m_params->setScenario(s->info());
    m_params->setValues(m_settings.params(s->info()));
    m_panelScenario = QString::fromStdString(s->info().id);
    m_paramsFromFile = false;
    m_metrics->setScenario(s->info());
    m_tabs->setTabVisible(1, s->info().id == "amdahl");
    updateSpeedup();
}

bool MainWindow::speedupShown() const
{
    return m_tabs->currentWidget() == m_speedup;
}

// The chart shows the last run's figures while that run's scenario is selected.
void MainWindow::updateSpeedup()
{
    const il::Scenario *s = currentScenario();
    const auto &r = m_controller->lastResult();
    if (s && s == m_controller->scenario() && r && !m_controller->isRunning())
        m_speedup->setData(SpeedupData::fromMetrics(r->metrics), chartTitle());
    else
        m_speedup->setData(std::nullopt, QString());
}

void MainWindow::startRun()
{
    const il::Scenario *s = currentScenario();
    if (!s || m_controller->isRunning() || m_opening)
        return;
    const QString id = QString::fromStdString(s->info().id);
    m_paramsFromFile = false; // run with them: now they are the user's
    m_settings.setLastScenario(id);
    m_settings.setParams(id, m_params->values());
    m_controller->start(*s, m_params->values(), QRandomGenerator::global()->generate64());
}

void MainWindow::stopRun()
{
    if (m_controller->isRunning()) {
        m_controller->stop();
        m_stateLabel->setText(tr("Stopping…"));
    }
}

// The controller made a new timeline: the views get it before anything else can make
// them paint or lay out (the old one is gone once the signal's handlers return).
void MainWindow::showNewTimeline()
{
    m_table->setTimeline(&m_controller->timeline());
    m_table->setDisplayTimeNs(std::nullopt);
    m_gantt->setTimeline(&m_controller->timeline());
    m_gantt->setTimeCursorNs(std::nullopt);
    m_replay->setRun(0, true); // the replay lets go of the old run's moment
}

// The run is over, so the table no longer shows "live": it shows the moment the
// deadlock closed, if there was one (after it the threads only gave up their
// chopsticks as the run stopped), else the last recorded moment. A moment the user
// picked on the replay bar stays.
void MainWindow::showFinalMoment()
{
    if (m_replay->pinnedTimeNs())
        return;
    if (const auto &cycle = m_controller->timeline().deadlock())
        m_replay->setTimeNs(cycle->tNs); // the table and the timeline's cursor follow
    else
        m_table->setDisplayTimeNs(m_controller->timeline().end_ns());
}

void MainWindow::onRunStarted()
{
    showNewTimeline();
    m_metrics->clearValues();
    m_banner->hide();
    m_tabs->setCurrentIndex(0); // watch the run live
    updateSpeedup();
    m_gantt->setChartTitle(chartTitle());
    m_gantt->fitAll();
    m_statusTimer->start();
    updateWindowTitle();
    updateActions();
    updateStatus();
}

// A saved run took the place of the current one: show it as it was when it ended.
void MainWindow::onRunLoaded()
{
    showNewTimeline();
    if (const il::Scenario *s = m_controller->scenario()) {
        selectScenario(QString::fromStdString(s->info().id));
        m_params->setValues(m_controller->params());
        m_paramsFromFile = true; // shown, not remembered, until the user changes or runs them
        m_metrics->setMetrics(m_controller->lastResult()->metrics);
    } else { // another tool's trace: no scenario, table or metrics of ours
        m_metrics->clearValues();
        m_tablePage->setVisible(false);
        m_explanation->setText(
            tr("<b>%1</b> was written by another tool: each of its threads is a lane. Pick a "
               "scenario and press Run to record a run of your own.")
                .arg(QFileInfo(m_controller->filePath()).fileName().toHtmlEscaped()));
    }
    m_banner->hide();
    m_tabs->setCurrentIndex(0);
    m_gantt->setChartTitle(chartTitle());
    m_gantt->fitAll();
    onRunUpdated();
    showFinalMoment();
    updateSpeedup();
    updateWindowTitle();
    updateActions();
    updateStatus();
}

void MainWindow::onRunFinished()
{
    m_statusTimer->stop();
    if (const auto &r = m_controller->lastResult()) {
        m_metrics->setMetrics(r->metrics);
        if (!r->error.empty())
            QMessageBox::warning(this, tr("Run failed"),
                                 tr("The scenario stopped with an error:\n%1")
                                     .arg(QString::fromStdString(r->error)));
    }
    onRunUpdated();
    updateSpeedup();
    if (m_speedup->data() && !m_speedup->data()->threads.isEmpty())
        m_tabs->setCurrentWidget(m_speedup); // the run's conclusion
    showFinalMoment();
    updateActions();
    updateStatus();
}

void MainWindow::updateActions()
{
    const bool running = m_controller->isRunning();
    const bool idle = !running && !m_opening;
    m_runAction->setEnabled(idle);
    m_runButton->setEnabled(idle);
    m_stopAction->setEnabled(running);
    m_stopButton->setEnabled(running);
    m_scenarioList->setEnabled(idle);
    m_params->setEnabled(idle);
    m_openAction->setEnabled(idle);
    m_recentMenu->setEnabled(idle);
    m_saveAction->setEnabled(!running && m_controller->hasRunInfo());
    m_csvAction->setEnabled(!running && !m_controller->timeline().lanes().empty());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_controller->stop(); // ~RunController joins the run's threads
    m_closed = true;
    saveSettings();
    QMainWindow::closeEvent(event);
}

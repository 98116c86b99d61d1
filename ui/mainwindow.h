#pragma once
#include <QMainWindow>

#include "scenario.h"

class QAction;
class QLabel;
class QListWidget;
class QPushButton;
class QTimer;
class GanttView;
class MetricsPanel;
class PhilosophersView;
class ReplayBar;
class QSplitter;
class ParamsPanel;
class RunController;
class SpeedupChart;
class QTabWidget;

// Scenario list, parameters, Run/Stop and metrics on the left; the live timeline in
// the centre; elapsed time and event counts in the status bar.
class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    void selectScenario(const QString &id);
    RunController *controller() const { return m_controller; }
    ParamsPanel *paramsPanel() const { return m_params; }
    MetricsPanel *metricsPanel() const { return m_metrics; }
    GanttView *ganttView() const { return m_gantt; }
    PhilosophersView *philosophersView() const { return m_table; }
    ReplayBar *replayBar() const { return m_replay; }
    SpeedupChart *speedupChart() const { return m_speedup; }
    QTabWidget *viewTabs() const { return m_tabs; }
    // The deadlock banner's text ("" while hidden).
    QString deadlockBanner() const;

    void startRun();
    void stopRun();
    // Exports what the current tab shows: the timeline or the speedup chart.
    bool exportPng(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    QWidget *buildSidePanel();
    QWidget *buildCentre();
    void onRunUpdated();
    void buildMenus();
    void onScenarioChanged();
    void onRunStarted();
    void onRunFinished();
    void updateStatus();
    void updateActions();
    void updateSpeedup();
    bool speedupShown() const;
    void exportPngInteractively();
    QString chartTitle() const;
    const il::Scenario *currentScenario() const;

    RunController *m_controller;
    GanttView *m_gantt;
    PhilosophersView *m_table;
    ReplayBar *m_replay = nullptr;
    QWidget *m_tablePage = nullptr;
    QSplitter *m_views = nullptr;
    QTabWidget *m_tabs = nullptr;
    SpeedupChart *m_speedup = nullptr;
    QLabel *m_banner = nullptr;
    QListWidget *m_scenarioList = nullptr;
    QLabel *m_explanation = nullptr;
    ParamsPanel *m_params = nullptr;
    MetricsPanel *m_metrics = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_stopButton = nullptr;
    QAction *m_runAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_exportTableAction = nullptr;
    QLabel *m_stateLabel;
    QLabel *m_elapsedLabel;
    QLabel *m_eventsLabel;
    QLabel *m_droppedLabel;
    QTimer *m_statusTimer;
};

#pragma once
#include <QMainWindow>

#include "appsettings.h"
#include "imageexport.h"
#include "scenario.h"

class QAction;
class QLabel;
class QMenu;
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
    // Exports what the current tab shows: the timeline or the speedup chart, as PNG or
    // SVG by the path's suffix. Failures are reported in a message box.
    bool exportImage(const QString &path, const ImageOptions &options);
    bool exportPng(const QString &path); // at the view's default size
    bool exportTableImage(const QString &path, const ImageOptions &options);
    bool exportCsv(const QString &path);

    // Runs as files (mainwindowfiles.cpp). openRun shows the file's run, as it was
    // saved, with its scenario, parameters and metrics; a bad file gets a message
    // naming it and what is wrong, and the current run stays. saveRun writes the shown
    // run as a Chrome trace that Perfetto opens and Interleave re-opens exactly.
    bool openRun(const QString &path);
    bool saveRun(const QString &path);
    QMenu *recentFilesMenu() const { return m_recentMenu; }

protected:
    void closeEvent(QCloseEvent *event) override;
    void changeEvent(QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    QWidget *buildSidePanel();
    QWidget *buildCentre();
    void onRunUpdated();
    void buildMenus();
    void buildFileMenu(QMenu *file);
    void rebuildRecentMenu();
    void openRunInteractively();
    void saveRunInteractively();
    void exportImageInteractively();
    void exportTableInteractively();
    void exportCsvInteractively();
    QString suggestedFileName(const QString &suffix) const;
    bool exported(bool saved, const QString &path, const QString &error);
    void onRunLoaded();
    void showNewTimeline();
    void showFinalMoment();
    void restoreSettings();
    void buildThemeMenu(QMenu *view);
    void styleBanner();
    void saveSettings();
    void rememberParams();
    void updateWindowTitle();
    void onScenarioChanged();
    void onRunStarted();
    void onRunFinished();
    void updateStatus();
    void updateActions();
    void updateSpeedup();
    bool speedupShown() const;
    QString chartTitle() const;
    const il::Scenario *currentScenario() const;

    RunController *m_controller;
    GanttView *m_gantt;
    PhilosophersView *m_table;
    ReplayBar *m_replay = nullptr;
    QWidget *m_tablePage = nullptr;
    QSplitter *m_mainSplitter = nullptr;
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
    QAction *m_openAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_csvAction = nullptr;
    QMenu *m_recentMenu = nullptr;
    AppSettings m_settings;
    bool m_opening = false;        // a file is being read (openRun)
    bool m_closed = false;         // closeEvent accepted: nothing more is shown
    QString m_panelScenario;       // the scenario whose parameters the panel shows
    bool m_paramsFromFile = false; // they are a re-opened run's, not the user's own
    QLabel *m_stateLabel;
    QLabel *m_elapsedLabel;
    QLabel *m_eventsLabel;
    QLabel *m_droppedLabel;
    QTimer *m_statusTimer;
};

#pragma once
#include "scenario.h"

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>

#include <memory>

// What Interleave remembers between sessions, per user (QSettings): the window's
// geometry and layout, the last scenario and every scenario's parameters, the folder
// last exported to, and the runs recently saved or opened. Values read back are
// checked: an unknown parameter is ignored and one out of range is clamped, so a
// hand-edited or stale settings file can never start a run with values the sliders
// could not set.
class AppSettings {
public:
    static constexpr int kMaxRecentFiles = 8;

    AppSettings();                                // the user's settings
    explicit AppSettings(const QString &iniPath); // a given file (tests)

    QByteArray windowGeometry() const;
    void setWindowGeometry(const QByteArray &geometry);
    QByteArray windowState() const;
    void setWindowState(const QByteArray &state);
    QByteArray splitterState(const QString &name) const;
    void setSplitterState(const QString &name, const QByteArray &state);

    QString lastScenario() const;
    void setLastScenario(const QString &id);
    // The scenario's defaults, overridden by what was saved for it.
    il::ParamValues params(const il::ScenarioInfo &info) const;
    void setParams(const QString &scenarioId, const il::ParamValues &values);

    // "system", "light" or "dark" (theme.h's keys); "system" when unset or unknown.
    QString theme() const;
    void setTheme(const QString &key);

    // The folder of the last export; the user's Pictures folder (or home) at first.
    QString lastExportDir() const;
    // Remembers the folder of `fileOrDir`.
    void setLastExportDir(const QString &fileOrDir);

    // Most recent first, at most kMaxRecentFiles, absolute paths, no duplicates.
    QStringList recentFiles() const;
    void addRecentFile(const QString &path);
    void removeRecentFile(const QString &path);
    void clearRecentFiles();

    void sync();

private:
    std::unique_ptr<QSettings> m_settings;
};

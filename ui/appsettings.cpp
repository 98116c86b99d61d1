#include "appsettings.h"

#include "params.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>

namespace {
const QString kGeometry = QStringLiteral("window/geometry");
const QString kState = QStringLiteral("window/state");
const QString kSplitters = QStringLiteral("window/splitters/");
const QString kLastScenario = QStringLiteral("run/scenario");
const QString kParams = QStringLiteral("params/");
const QString kExportDir = QStringLiteral("export/folder");
const QString kTheme = QStringLiteral("view/theme");
const QString kRecent = QStringLiteral("files/recent");

QString absolute(const QString &path)
{
    return QDir::cleanPath(QFileInfo(path).absoluteFilePath());
}
} // namespace

AppSettings::AppSettings()
    : m_settings(std::make_unique<QSettings>())
{
}

AppSettings::AppSettings(const QString &iniPath)
    : m_settings(std::make_unique<QSettings>(iniPath, QSettings::IniFormat))
{
}

QByteArray AppSettings::windowGeometry() const
{
    return m_settings->value(kGeometry).toByteArray();
}

void AppSettings::setWindowGeometry(const QByteArray &geometry)
{
    m_settings->setValue(kGeometry, geometry);
}

QByteArray AppSettings::windowState() const
{
    return m_settings->value(kState).toByteArray();
}

void AppSettings::setWindowState(const QByteArray &state)
{
    m_settings->setValue(kState, state);
}

QByteArray AppSettings::splitterState(const QString &name) const
{
    return m_settings->value(kSplitters + name).toByteArray();
}

void AppSettings::setSplitterState(const QString &name, const QByteArray &state)
{
    m_settings->setValue(kSplitters + name, state);
}

QString AppSettings::lastScenario() const
{
    return m_settings->value(kLastScenario).toString();
}

void AppSettings::setLastScenario(const QString &id)
{
    m_settings->setValue(kLastScenario, id);
}

il::ParamValues AppSettings::params(const il::ScenarioInfo &info) const
{
    il::ParamValues values = il::default_params(info);
    const QString group = kParams + QString::fromStdString(info.id) + QLatin1Char('/');
    for (const il::ParamSpec &spec : info.params) {
        const QVariant saved = m_settings->value(group + QString::fromStdString(spec.key));
        bool ok = false;
        const qlonglong v = saved.toLongLong(&ok);
        if (saved.isValid() && ok)
            values[spec.key] = std::clamp<std::int64_t>(v, spec.min, spec.max);
    }
    return values;
}

void AppSettings::setParams(const QString &scenarioId, const il::ParamValues &values)
{
    const QString group = kParams + scenarioId + QLatin1Char('/');
    for (const auto &[key, value] : values)
        m_settings->setValue(group + QString::fromStdString(key), qlonglong(value));
}

QString AppSettings::theme() const
{
    const QString key = m_settings->value(kTheme).toString();
    return key == QLatin1String("light") || key == QLatin1String("dark") ? key
                                                                         : QStringLiteral("system");
}

void AppSettings::setTheme(const QString &key)
{
    m_settings->setValue(kTheme, key);
}

QString AppSettings::lastExportDir() const
{
    const QString saved = m_settings->value(kExportDir).toString();
    if (!saved.isEmpty() && QFileInfo(saved).isDir())
        return saved;
    const QString pictures = QStandardPaths::writableLocation(QStandardPaths::PicturesLocation);
    return !pictures.isEmpty() && QFileInfo(pictures).isDir() ? pictures : QDir::homePath();
}

void AppSettings::setLastExportDir(const QString &fileOrDir)
{
    const QFileInfo info(fileOrDir);
    m_settings->setValue(kExportDir, absolute(info.isDir() ? fileOrDir : info.absolutePath()));
}

QStringList AppSettings::recentFiles() const
{
    QStringList files = m_settings->value(kRecent).toStringList();
    files.removeAll(QString());
    files.removeDuplicates();
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    return files;
}

void AppSettings::addRecentFile(const QString &path)
{
    const QString file = absolute(path);
    QStringList files = recentFiles();
    files.removeAll(file);
    files.prepend(file);
    while (files.size() > kMaxRecentFiles)
        files.removeLast();
    m_settings->setValue(kRecent, files);
}

void AppSettings::removeRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(absolute(path));
    m_settings->setValue(kRecent, files);
}

void AppSettings::clearRecentFiles()
{
    m_settings->remove(kRecent);
}

void AppSettings::sync()
{
    m_settings->sync();
}

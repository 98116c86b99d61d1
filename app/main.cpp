#include "appidentity.h"
#include "appsettings.h"
#include "cli.h"
#include "headless.h"
#include "mainwindow.h"
#include "runcontroller.h"
#include "theme.h"

#include <QApplication>
#include <QTimer>

#include <cerrno>
#include <iostream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

// Qt warns on stderr when XDG_RUNTIME_DIR is unset (common in CI, containers and ssh
// sessions). Give it a private directory instead, so that headless output stays clean.
void ensureRuntimeDir()
{
    if (!qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR"))
        return;
    const std::string dir = "/tmp/interleave-runtime-" + std::to_string(getuid());
    struct stat st {};
    if ((mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) && stat(dir.c_str(), &st) == 0 &&
        st.st_uid == getuid() && (st.st_mode & 0777) == 0700)
        qputenv("XDG_RUNTIME_DIR", QByteArray::fromStdString(dir));
}

} // namespace

int main(int argc, char **argv)
{
    ensureRuntimeDir();
    QCoreApplication::setApplicationName(QStringLiteral("Interleave"));
    QCoreApplication::setApplicationVersion(appVersion());
    QCoreApplication::setOrganizationName(QStringLiteral("Interleave"));

    // Arguments first, before any display is needed: a wrong option gets its message
    // even where there is no display at all.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);
    const CliParse parsed = parseCommandLine(arguments);
    if (!parsed.options) {
        (parsed.exitCode == ExitOk ? std::cout : std::cerr) << parsed.message.toStdString() << '\n';
        return parsed.exitCode;
    }
    const CliOptions &o = *parsed.options;
    // Modes without a window render (PNG) offscreen.
    if (o.mode != CliOptions::Mode::Gui && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    switch (o.mode) {
    case CliOptions::Mode::List: return listScenarios(o.json);
    case CliOptions::Mode::Headless: return runHeadless(o);
    case CliOptions::Mode::Open: return openHeadless(o);
    case CliOptions::Mode::Gui: break;
    }
    // The remembered theme, before any window exists (theme.h).
    applyTheme(app, themeChoiceFromKey(AppSettings().theme()).value_or(ThemeChoice::System));
    QApplication::setWindowIcon(appIcon());
    QApplication::setDesktopFileName(QStringLiteral("interleave"));
    MainWindow window;
    window.controller()->setMemoryBudget(o.memoryBudgetBytes);
    window.show();
    if (!o.openPath.isEmpty()) // once the window is up, so its progress dialog has a parent
        QTimer::singleShot(0, &window, [&window, path = o.openPath] { window.openRun(path); });
    return QApplication::exec();
}

#include "cli.h"
#include "headless.h"
#include "mainwindow.h"

#include <QApplication>

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
    // Modes without a window must work where there is no display at all.
    if (cliWantsNoDisplay(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Interleave"));
    QApplication::setApplicationVersion(QStringLiteral("0.1"));
    QApplication::setOrganizationName(QStringLiteral("Interleave"));

    const CliParse parsed = parseCommandLine(QApplication::arguments());
    if (!parsed.options) {
        (parsed.exitCode == ExitOk ? std::cout : std::cerr) << parsed.message.toStdString() << '\n';
        return parsed.exitCode;
    }
    const CliOptions &o = *parsed.options;
    switch (o.mode) {
    case CliOptions::Mode::List: return listScenarios(o.json);
    case CliOptions::Mode::Headless: return runHeadless(o);
    case CliOptions::Mode::Gui: break;
    }
    MainWindow window;
    window.show();
    return QApplication::exec();
}

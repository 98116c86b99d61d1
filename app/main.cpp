#include "cli.h"
#include "headless.h"
#include "mainwindow.h"

#include <QApplication>

#include <iostream>

int main(int argc, char **argv)
{
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

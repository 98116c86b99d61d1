// MainWindow's memory between sessions (AppSettings) and its light or dark look.
#include "mainwindow.h"
#include "paramspanel.h"
#include "theme.h"

#include <QActionGroup>
#include <QApplication>
#include <QEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QSplitter>

#include <array>
#include <utility>

void MainWindow::restoreSettings()
{
    if (const QByteArray g = m_settings.windowGeometry(); !g.isEmpty())
        restoreGeometry(g);
    if (const QByteArray st = m_settings.windowState(); !st.isEmpty())
        restoreState(st);
    if (const QByteArray sp = m_settings.splitterState(QStringLiteral("main")); !sp.isEmpty())
        m_mainSplitter->restoreState(sp);
    if (const QString id = m_settings.lastScenario(); !id.isEmpty())
        selectScenario(id); // with the parameters it was last run with
}

void MainWindow::saveSettings()
{
    m_settings.setWindowGeometry(saveGeometry());
    m_settings.setWindowState(saveState());
    m_settings.setSplitterState(QStringLiteral("main"), m_mainSplitter->saveState());
    if (const il::Scenario *s = currentScenario())
        m_settings.setLastScenario(QString::fromStdString(s->info().id));
    rememberParams();
    m_settings.sync();
}

// The parameters the panel shows, for its scenario, unless they are a re-opened run's
// that the user has neither changed nor run.
void MainWindow::rememberParams()
{
    if (!m_panelScenario.isEmpty() && !m_paramsFromFile)
        m_settings.setParams(m_panelScenario, m_params->values());
}

// View → Theme: follow the desktop, or always light or dark. The choice is remembered
// and applied at start-up (app/main.cpp) before the window exists.
void MainWindow::buildThemeMenu(QMenu *view)
{
    QMenu *menu = view->addMenu(tr("&Theme"));
    menu->setToolTipsVisible(true);
    auto *group = new QActionGroup(menu);
    const QString current = m_settings.theme();
    const std::array choices{
        std::pair{ThemeChoice::System, tr("Follow the &system")},
        std::pair{ThemeChoice::Light, tr("&Light")},
        std::pair{ThemeChoice::Dark, tr("&Dark")},
    };
    for (const auto &[choice, text] : choices) {
        QAction *a = menu->addAction(text);
        const QString key = themeChoiceKey(choice);
        a->setObjectName(QStringLiteral("theme-") + key);
        a->setCheckable(true);
        a->setChecked(key == current);
        a->setToolTip(choice == ThemeChoice::System
                          ? tr("Light or dark as the desktop is set")
                          : tr("Always %1, whatever the desktop says").arg(text).remove('&'));
        group->addAction(a);
        // A copy: clang 14 cannot capture a structured binding (C++20 allows it).
        const ThemeChoice chosen = choice;
        connect(a, &QAction::triggered, this, [this, chosen, key] {
            m_settings.setTheme(key);
            applyTheme(*qApp, chosen);
        });
    }
}

void MainWindow::styleBanner()
{
    const bool dark = isDark(palette());
    m_banner->setStyleSheet(
        dark ? QStringLiteral("QLabel { background: #4a1c1c; color: #ffd9d9; "
                              "border-bottom: 1px solid #7a3030; padding: 8px; }")
             : QStringLiteral("QLabel { background: #fde8e8; color: #8a1111; "
                              "border-bottom: 1px solid #e0a0a0; padding: 8px; }"));
}

void MainWindow::changeEvent(QEvent *event)
{
    switch (event->type()) {
    case QEvent::PaletteChange:
        styleBanner();
        updateStatus(); // the "dropped" count's alarm colour
        break;
    case QEvent::ThemeChange: // the desktop changed its theme while we run
        if (m_settings.theme() == themeChoiceKey(ThemeChoice::System))
            applyTheme(*qApp, ThemeChoice::System);
        break;
    default: break;
    }
    QMainWindow::changeEvent(event);
}

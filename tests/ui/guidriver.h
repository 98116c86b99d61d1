#pragma once
// Driving MainWindow as a user does, for the GUI robustness test: finding its actions,
// buttons, scenario list and parameter controls, clicking them, and guarding what no
// QTRY can (a hang inside one synchronous call).
#include "mainwindow.h"
#include "paramspanel.h"
#include "scenario.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QListWidget>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTest>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

namespace iltest {

// Turns a hang of the GUI thread where no QTRY can guard it (a destructor, one step of a
// sequence) into a failure naming it: once armed, it aborts unless disarmed in time.
class Watchdog {
public:
    Watchdog()
        : m_thread([this] { watch(); })
    {
    }
    ~Watchdog()
    {
        {
            const std::lock_guard lock(m_mutex);
            m_quit = true;
        }
        m_changed.notify_all();
        m_thread.join();
    }
    Watchdog(const Watchdog &) = delete;
    Watchdog &operator=(const Watchdog &) = delete;

    void arm(const char *what, std::chrono::seconds bound)
    {
        {
            const std::lock_guard lock(m_mutex);
            m_what = what;
            m_deadline = std::chrono::steady_clock::now() + bound;
            ++m_generation;
        }
        m_changed.notify_all();
    }
    void disarm() { arm(nullptr, {}); }

private:
    void watch()
    {
        std::unique_lock lock(m_mutex);
        while (!m_quit) {
            const unsigned generation = m_generation;
            const auto changed = [&] { return m_quit || m_generation != generation; };
            const auto deadline = m_deadline; // a copy: the wait unlocks
            if (!m_what)
                m_changed.wait(lock, changed);
            else if (!m_changed.wait_until(lock, deadline, changed))
                qFatal("hang: %s did not end in time", m_what);
        }
    }

    std::mutex m_mutex;
    std::condition_variable m_changed;
    const char *m_what = nullptr;
    std::chrono::steady_clock::time_point m_deadline;
    unsigned m_generation = 0;
    bool m_quit = false;
    std::thread m_thread; // last: starts once the above exist
};

// This process's threads, except those of Qt's thread pools: Qt starts them on demand
// (QtGui hands them parts of its painting) and lets them go after 30 s idle, on a
// clock of its own.
inline int threadCount()
{
    int n = 0;
    for (const auto &task : std::filesystem::directory_iterator("/proc/self/task")) {
        std::ifstream comm(task.path() / "comm");
        std::string name;
        std::getline(comm, name);
        n += name != "Thread (pooled)" ? 1 : 0;
    }
    return n;
}

// Small values that end a run in moments: every number 2 (or the nearest allowed), every
// choice and switch its default, except the philosophers' strategy: the naive one can
// deadlock, and the GUI keeps a deadlocked run going until Stop.
inline il::ParamValues quickParams(const il::ScenarioInfo &info)
{
    il::ParamValues v;
    for (const il::ParamSpec &p : info.params) {
        v[p.key] = p.kind == il::ParamKind::Int ? std::clamp<std::int64_t>(2, p.min, p.max) : p.def;
        if (p.key == "strategy")
            for (std::size_t i = 0; i < p.choices.size(); ++i)
                if (p.choices[i] == "ordered")
                    v[p.key] = std::int64_t(i);
    }
    return v;
}

inline QAction *actionWithShortcut(const MainWindow &w, const QKeySequence &key)
{
    for (QAction *a : w.findChildren<QAction *>())
        if (a->shortcut() == key)
            return a;
    return nullptr;
}

inline QPushButton *button(const MainWindow &w, const QString &text)
{
    for (QPushButton *b : w.findChildren<QPushButton *>())
        if (b->text() == text)
            return b;
    return nullptr;
}

inline QListWidget *scenarioList(const MainWindow &w)
{
    return w.findChild<QListWidget *>();
}

inline QString shownScenario(const MainWindow &w)
{
    const QListWidgetItem *item = scenarioList(w)->currentItem();
    return item ? item->data(Qt::UserRole).toString() : QString();
}

// A click on the scenario's row in the list, as a user picks it.
inline void clickScenario(const MainWindow &w, int row)
{
    QListWidget *list = scenarioList(w);
    QListWidgetItem *item = list->item(row);
    list->scrollToItem(item);
    QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, list->visualItemRect(item).center());
}

// Each parameter control the panel shows: numbers as slider and spin box, choices as a
// combo box, switches as a check box.
inline QList<QWidget *> paramControls(const MainWindow &w)
{
    QList<QWidget *> controls;
    for (QWidget *c : w.paramsPanel()->findChildren<QWidget *>())
        if (qobject_cast<QSlider *>(c) || qobject_cast<QSpinBox *>(c) ||
            qobject_cast<QComboBox *>(c) || qobject_cast<QCheckBox *>(c))
            controls << c;
    return controls;
}

// Moves a control to its minimum or maximum the way a program can even while the panel
// is disabled (a user's keys and clicks are then ignored).
inline void setToEnd(QWidget *c, bool max)
{
    if (auto *s = qobject_cast<QSlider *>(c))
        s->setValue(max ? s->maximum() : s->minimum());
    else if (auto *b = qobject_cast<QSpinBox *>(c))
        b->setValue(max ? b->maximum() : b->minimum());
    else if (auto *x = qobject_cast<QComboBox *>(c))
        x->setCurrentIndex(max ? x->count() - 1 : 0);
    else if (auto *k = qobject_cast<QCheckBox *>(c))
        k->setChecked(max);
}

// The offscreen platform says, each time a window's size hints change or a drop-down
// opens, what it cannot do (pass on size hints, grab the keyboard, raise): noise here.
inline QtMessageHandler g_nextHandler = nullptr;
inline void quietOffscreen(QtMsgType type, const QMessageLogContext &context,
                           const QString &message)
{
    if (!message.startsWith(QLatin1String("This plugin does not support")))
        g_nextHandler(type, context, message);
}

} // namespace iltest

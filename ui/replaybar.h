#pragma once
#include <QWidget>

#include <optional>

class QLabel;
class QSlider;

// A time slider under the philosophers table: after a run, dragging it replays the
// table at any recorded moment, so the deadlock can be watched forming step by step.
class ReplayBar : public QWidget {
    Q_OBJECT
public:
    explicit ReplayBar(QWidget *parent = nullptr);

    // The run's length; `live` while it still runs (the bar then follows the edge).
    void setRun(qint64 endNs, bool live);
    // Puts the cursor at a time (as if dragged there).
    void setTimeNs(qint64 tNs);
    std::optional<qint64> pinnedTimeNs() const;

signals:
    // nullopt: follow the live edge.
    void timeChanged(std::optional<qint64> tNs);

private:
    void onSlider(int position);
    void updateLabel();

    static constexpr int kSteps = 2000;
    QSlider *m_slider;
    QLabel *m_label;
    qint64 m_endNs = 0;
    bool m_live = true;
    std::optional<qint64> m_pinned;
};

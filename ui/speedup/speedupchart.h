#pragma once
#include "../imageexport.h"
#include "speedupdata.h"

#include <QChartView>

#include <optional>

class QLineSeries;
class QValueAxis;

// The speedup tab of the Amdahl scenario: the measured speedup per thread count
// against Amdahl's law 1 / (s + (1 − s) / n), the ideal linear speedup and the number
// of CPUs the run could use. Its colours follow the widget's palette (light or dark);
// images and files are always light, on white.
class SpeedupChart : public QChartView {
    Q_OBJECT
public:
    explicit SpeedupChart(QWidget *parent = nullptr);

    // No data shows empty axes and a hint to run the scenario.
    void setData(const std::optional<SpeedupData> &data, const QString &title);
    const std::optional<SpeedupData> &data() const { return m_data; }
    QLineSeries *measuredSeries() const { return m_measured; }
    QLineSeries *amdahlSeries() const { return m_amdahl; }

    // The chart as an image of logicalSize × dpr pixels, as it would look on screen.
    QImage renderImage(QSize logicalSize = {1200, 800}, qreal dpr = 2.0) const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void restyle();
    void showPointToolTip(const QPointF &point, bool state);

    std::optional<SpeedupData> m_data;
    QLineSeries *m_measured;
    QLineSeries *m_amdahl;
    QLineSeries *m_ideal;
    QLineSeries *m_cores;
    QValueAxis *m_x;
    QValueAxis *m_y;
};

// `data` as the speedup tab shows it, painted into `painter` over (0, 0)-logicalSize,
// with or without the chart's title and legend.
void paintSpeedup(QPainter &painter, QSize logicalSize, const std::optional<SpeedupData> &data,
                  const QString &title, bool titleShown = true, bool legend = true);

// Writes it as PNG or SVG (by the path's suffix) through a temporary file. On failure
// returns false and says why in `error`.
bool saveSpeedupImage(const std::optional<SpeedupData> &data, const QString &title,
                      const QString &path, const ImageOptions &options, QString *error);

// `data` as the speedup tab shows it, as an image of logicalSize × dpr pixels.
QImage renderSpeedupImage(const std::optional<SpeedupData> &data, const QString &title,
                          QSize logicalSize = {1200, 800}, qreal dpr = 2.0);

// Renders `data` as the speedup tab shows it, and writes it to `path` as PNG (through a
// temporary file). On failure returns false and says why in `error`.
bool saveSpeedupPng(const std::optional<SpeedupData> &data, const QString &title,
                    const QString &path, QString *error, QSize logicalSize = {1200, 800},
                    qreal dpr = 2.0);

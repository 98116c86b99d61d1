#pragma once
#include <QWidget>

#include "scenario.h"

#include <map>
#include <string>

class QFormLayout;
class QLabel;

// The scenario's own figures (names from its declaration), filled in when a run ends.
class MetricsPanel : public QWidget {
    Q_OBJECT
public:
    explicit MetricsPanel(QWidget *parent = nullptr);

    void setScenario(const il::ScenarioInfo &info);
    void setMetrics(const il::Json &metrics);
    void clearValues();
    QString valueText(const QString &metric) const;

    static QString formatValue(const il::Json &value);

private:
    QFormLayout *m_form;
    std::map<std::string, QLabel *> m_values;
};

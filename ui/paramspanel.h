#pragma once
#include <QWidget>

#include "scenario.h"

#include <vector>

class QFormLayout;
class QSlider;
class QSpinBox;

// One row per declared parameter: a slider and a spin box kept in step, labelled
// with the parameter's name, unit and range. Built from a scenario's ParamSpec list.
class ParamsPanel : public QWidget {
    Q_OBJECT
public:
    explicit ParamsPanel(QWidget *parent = nullptr);

    void setScenario(const il::ScenarioInfo &info);
    il::ParamValues values() const;
    void setValues(const il::ParamValues &values);
    void resetToDefaults();

    QSlider *slider(const QString &key) const;
    QSpinBox *spinBox(const QString &key) const;

signals:
    void valuesChanged();

private:
    struct Row {
        il::ParamSpec spec;
        QSlider *slider;
        QSpinBox *spin;
    };
    const Row *row(const QString &key) const;

    QFormLayout *m_form;
    std::vector<Row> m_rows;
};
